// `npm run bench`, tokens part: what counting tokens costs. `sessions list
// --tokens` over many sessions at a simulated round trip (requests, time, peak
// memory), `history show --tokens` of one long session, the tokenizers'
// throughput in-process, and the start-up of a command without --tokens next
// to the same command with it. Writes its own section of bench/RESULTS.md
// (between the tokens markers; the rest of the file is left as it is).
//
//   node bench/tokens.mjs [--sessions 10000] [--messages 20] [--long 10000] [--latency-ms 20] [--runs 3] [--out FILE]
//
// Everything it starts (redis-server, the endpoint process, the proxy) is
// stopped when it ends, also on failure.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startRedisServer } from "../dist/src/dev/redis-process.js";
import { tokenizer } from "../dist/src/tokens/tokenizer.js";
import { seedLongSession, seedSessions } from "./seed.mjs";
import { startProxy } from "./proxy.mjs";
import { BENCH_DIR, CLI, TMP, fmtInt, fmtMB, fmtMs, log, measure, median, startEndpointProcess } from "./lib.mjs";

function parseArgs(argv) {
  const o = {
    sessions: 10_000,
    messages: 20,
    long: 10_000,
    latencyMs: 20,
    runs: 3,
    out: path.join(BENCH_DIR, "RESULTS.md"),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => Math.max(1, Math.round(Number(argv[++i])));
    if (a === "--sessions") o.sessions = num();
    else if (a === "--messages") o.messages = num();
    else if (a === "--long") o.long = num();
    else if (a === "--latency-ms") o.latencyMs = Number(argv[++i]);
    else if (a === "--runs") o.runs = Math.min(20, num());
    else if (a === "--out") o.out = path.resolve(argv[++i]);
    else if (a === "--help" || a === "-h") {
      console.log(
        "usage: node bench/tokens.mjs [--sessions 10000] [--messages 20] [--long 10000] [--latency-ms 20] [--runs 3] [--out FILE]",
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const TOKEN = "bench-tokens-token";
const PREFIX = "btk:";
const LONG = "long-session";
const BEGIN = "<!-- tokens:begin -->";
const END = "<!-- tokens:end -->";

/** A Markdown table padded as the lint's formatter writes one (columns after the first right-aligned). */
function mdTable(header, rows) {
  const all = [header, ...rows];
  const w = header.map((_, c) => Math.max(3, ...all.map((r) => [...r[c]].length)));
  const pad = (cell, c) => (c === 0 ? cell.padEnd(w[c] + cell.length - [...cell].length) : cell.padStart(w[c]));
  const line = (r) => `| ${r.map(pad).join(" | ")} |`;
  const rule = `| ${w.map((n, c) => (c === 0 ? "-".repeat(n) : `${"-".repeat(n - 1)}:`)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)];
}

/** Mixed text as chat apps store it: English, French, CJK, emoji, Arabic, code. */
function corpus(bytes) {
  const parts = [
    "Hello, could you tell me when my order ships? The tracking number is 1Z999AA10123456784.",
    "Élève à l'école, où l'été est très chaud; garçon naïve, cœur, Noël. Ça va?",
    "東京は日本の首都です。我爱自然语言处理。한국어 텍스트도 있습니다.",
    "👨‍👩‍👧‍👦 family 🏳️‍🌈 flag 👍🏽 🧑‍💻 coder 👩🏾‍🚀",
    "مرحبا بالعالم، هذه جملة باللغة العربية من اليمين إلى اليسار.",
    "function foo(a, b) {\n\tif (a > b) {\n\t\treturn a - b;\n\t}\n\treturn b * 2;\n}",
  ];
  const lines = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = `${parts[i % parts.length]} #${i}\n`;
    lines.push(l);
    n += Buffer.byteLength(l);
  }
  return lines.join("");
}

async function throughput(id, text) {
  const t0 = process.hrtime.bigint();
  const count = await tokenizer(id);
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const times = [];
  let tokens = 0;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    tokens = 0;
    for (const line of text.split(/(?<=\n)/)) tokens += count(line);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const mb = Buffer.byteLength(text) / 1e6;
  return { id, loadMs, mbPerS: mb / (median(times) / 1000), tokens, mb };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(TMP, { recursive: true });
  const cleanups = [];
  try {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const seeded = await seedSessions(redis.url, { prefix: PREFIX, sessions: o.sessions, messages: o.messages });
    await seedLongSession(redis.url, { key: PREFIX + LONG, messages: o.long });
    log(`tokens: seeded ${fmtInt(o.sessions)} sessions of ${o.messages} messages and one of ${fmtInt(o.long)}`);
    const endpoint = await startEndpointProcess({ redisUrls: [redis.url], token: TOKEN });
    cleanups.push(() => endpoint.stop());
    const proxy = await startProxy({ upstream: endpoint.urls[0], latencyMs: o.latencyMs });
    cleanups.push(() => proxy.close());
    const env = (url) => ({
      UPSTASH_REDIS_REST_URL: url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
      XDG_CONFIG_HOME: path.join(TMP, "config"),
      NO_COLOR: "1",
      UPSTASH_MEMORY_PROFILE: "",
    });
    const cli = [process.execPath, CLI, "--prefix", PREFIX];

    /** Median time and peak memory of `runs` runs; the requests of the last one (they do not vary). */
    async function run(label, argv, url = proxy.url) {
      const times = [];
      const rss = [];
      let net;
      for (let i = 0; i < o.runs; i++) {
        proxy.reset();
        const r = await measure(argv, { env: env(url), node: true });
        net = proxy.snapshot();
        if (r.code !== 0) throw new Error(`${label} exited ${r.code}: ${r.stderr}`);
        times.push(r.wallMs);
        if (r.rssKiB) rss.push(r.rssKiB);
      }
      const row = {
        label,
        requests: url === proxy.url ? String(net.requests) : "–",
        ms: median(times),
        rssKiB: rss.length ? Math.max(...rss) : null,
      };
      log(`  ${label}: ${row.requests} requests, ${fmtMs(row.ms)}, ${row.rssKiB ? fmtMB(row.rssKiB) : "?"}`);
      return row;
    }

    const list = await run("sessions list --json", [...cli, "sessions", "list", "--json"]);
    const listTokens = await run("sessions list --tokens --json", [...cli, "sessions", "list", "--tokens", "--json"]);
    const sorted = await run("sessions list --tokens --sort tokens --limit 20", [
      ...cli,
      "sessions",
      "list",
      "--tokens",
      "--sort",
      "tokens",
      "--limit",
      "20",
    ]);
    const long = await run(`history show (${fmtInt(o.long)} messages) --tokens --json`, [
      ...cli,
      "history",
      "show",
      LONG,
      "--tokens",
      "--json",
    ]);
    const longPlain = await run(`history show (${fmtInt(o.long)} messages) --json`, [
      ...cli,
      "history",
      "show",
      LONG,
      "--json",
    ]);
    // Start-up: one small session, straight at the endpoint (no simulated latency).
    const one = seeded.ids[0];
    const direct = endpoint.urls[0];
    const startPlain = await run(
      "start-up: history show ID --last 1 --json",
      [...cli, "history", "show", one, "--last", "1", "--json"],
      direct,
    );
    const startTokens = await run(
      "start-up: history show ID --last 1 --tokens --json",
      [...cli, "history", "show", one, "--last", "1", "--tokens", "--json"],
      direct,
    );
    const startHelp = await run("start-up: sessions list --help", [...cli, "sessions", "list", "--help"], direct);

    const text = corpus(2_000_000);
    const small1 = text.slice(0, 500_000);
    const tp = [
      await throughput("o200k_base", text),
      await throughput("cl100k_base", text),
      await throughput("llama3", text),
      await throughput("mistral-v1", small1),
    ];
    for (const t of tp) log(`  ${t.id}: ${t.mbPerS.toFixed(1)} MB/s, load ${fmtMs(t.loadMs)}`);

    const rows = [list, listTokens, sorted, longPlain, long, startHelp, startPlain, startTokens];
    const md = [
      BEGIN,
      "## tokens",
      "",
      `Written by \`node bench/tokens.mjs\` (part of \`npm run bench\`): ${fmtInt(o.sessions)} sessions of ${o.messages} messages and one`,
      `session of ${fmtInt(o.long)} messages, REST through the local endpoint behind a proxy that adds ${o.latencyMs} ms per HTTP`,
      `request (the start-up rows go straight to the endpoint). Median of ${o.runs} ${o.runs === 1 ? "run" : "runs"}; memory is the peak RSS.`,
      "",
      ...mdTable(
        ["command", "HTTP requests", "time", "peak memory"],
        rows.map((r) => [`\`${r.label}\``, r.requests, fmtMs(r.ms), r.rssKiB ? fmtMB(r.rssKiB) : "?"]),
      ),
      "",
      "Tokenizer throughput, in-process, on mixed text (English, French, CJK, emoji, Arabic, code), counted line by line:",
      "",
      ...mdTable(
        ["tokenizer", "text", "first load", "MB/s"],
        tp.map((t) => [t.id, `${t.mb.toFixed(1)} MB`, fmtMs(t.loadMs), t.mbPerS.toFixed(1)]),
      ),
      END,
    ].join("\n");
    const before = existsSync(o.out) ? readFileSync(o.out, "utf8") : "";
    const at = before.indexOf(BEGIN);
    const endAt = before.indexOf(END);
    const next =
      at >= 0 && endAt > at
        ? before.slice(0, at) + md + before.slice(endAt + END.length)
        : `${before.trimEnd()}${before ? "\n\n" : ""}${md}\n`;
    writeFileSync(o.out, next);
    log(`tokens: wrote ${path.relative(process.cwd(), o.out)}`);
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
