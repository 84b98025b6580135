// `npm run bench`, search and stats part: what `search` and `stats` cost at a
// simulated round trip, next to the naive way (`export | grep`, `export`
// counted by a script), over the local REST endpoint behind bench/proxy.mjs,
// which counts requests and the bytes of the bodies each way. Writes its own
// section of bench/RESULTS.md (between the search-stats markers; the rest of
// the file is left as it is) and checks the budget: a rare-term search moves
// at most 10% of the bytes export moves, in at most 2x the requests of
// `sessions list` + 2.
//
//   node bench/search-stats.mjs [--sessions 3000] [--messages 10] [--latency-ms 20] [--runs 3] [--out FILE]
//
// Everything it starts (redis-server, the endpoint process, the proxy) is
// stopped when it ends, also on failure.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { startRedisServer } from "../dist/src/dev/redis-process.js";
import { seedSessions } from "./seed.mjs";
import { startProxy } from "./proxy.mjs";
import { BENCH_DIR, CLI, TMP, fmtInt, fmtMs, log, measure, median, startEndpointProcess } from "./lib.mjs";

function parseArgs(argv) {
  const o = { sessions: 3000, messages: 10, latencyMs: 20, runs: 3, out: path.join(BENCH_DIR, "RESULTS.md") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => Math.max(1, Math.round(Number(argv[++i])));
    if (a === "--sessions") o.sessions = num();
    else if (a === "--messages") o.messages = num();
    else if (a === "--latency-ms") o.latencyMs = Number(argv[++i]);
    else if (a === "--runs") o.runs = Math.min(20, num());
    else if (a === "--out") o.out = path.resolve(argv[++i]);
    else if (a === "--help" || a === "-h") {
      console.log(
        "usage: node bench/search-stats.mjs [--sessions 3000] [--messages 10] [--latency-ms 20] [--runs 3] [--out FILE]",
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const TOKEN = "bench-search-stats-token";
const PREFIX = "bss:";
/** The rare term: in one message of a few sessions. */
const RARE = "zebra-7731";
const RARE_SESSIONS = 3;
const BEGIN = "<!-- search-stats:begin -->";
const END = "<!-- search-stats:end -->";

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** A Markdown table padded as the lint's formatter writes one (columns after the first right-aligned). */
function mdTable(header, rows) {
  const all = [header, ...rows];
  const w = header.map((_, c) => Math.max(3, ...all.map((r) => [...r[c]].length)));
  const pad = (cell, c) => (c === 0 ? cell.padEnd(w[c] + cell.length - [...cell].length) : cell.padStart(w[c]));
  const line = (r) => `| ${r.map(pad).join(" | ")} |`;
  const rule = `| ${w.map((n, c) => (c === 0 ? "-".repeat(n) : `${"-".repeat(n - 1)}:`)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)];
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(TMP, { recursive: true });
  const cleanups = [];
  try {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const seeded = await seedSessions(redis.url, { prefix: PREFIX, sessions: o.sessions, messages: o.messages });
    // The rare term, as the newest message of a few sessions (as the app would LPUSH it).
    const app = new Redis(redis.url);
    for (let i = 0; i < RARE_SESSIONS; i++) {
      const id = seeded.ids[Math.floor(((i + 0.5) * seeded.ids.length) / RARE_SESSIONS)];
      await app.lpush(
        PREFIX + id,
        JSON.stringify({ type: "human", data: { content: `my ticket is ${RARE}, any news?`, additional_kwargs: {} } }),
      );
    }
    await app.quit();
    log(
      `search-stats: seeded ${fmtInt(o.sessions)} sessions of ${o.messages} messages (+${RARE_SESSIONS} with '${RARE}')`,
    );
    const endpoint = await startEndpointProcess({ redisUrls: [redis.url], token: TOKEN });
    cleanups.push(() => endpoint.stop());
    const proxy = await startProxy({ upstream: endpoint.urls[0], latencyMs: o.latencyMs });
    cleanups.push(() => proxy.close());
    const env = {
      UPSTASH_REDIS_REST_URL: proxy.url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
      XDG_CONFIG_HOME: path.join(TMP, "config"),
      NO_COLOR: "1",
      UPSTASH_MEMORY_PROFILE: "",
    };
    const cli = [process.execPath, CLI, "--prefix", PREFIX];
    const shell = (pipe) => ["sh", "-c", `"${process.execPath}" "${CLI}" --prefix ${PREFIX} ${pipe}`];

    /** Median time of `runs` runs, and the requests and bytes of the last one (they do not vary). */
    async function run(label, argv, check) {
      const times = [];
      let last;
      let net;
      for (let i = 0; i < o.runs; i++) {
        proxy.reset();
        last = await measure(argv, { env, rss: false });
        net = proxy.snapshot();
        if (last.code !== 0) throw new Error(`${label} exited ${last.code}: ${last.stderr}`);
        times.push(last.wallMs);
      }
      check?.(last);
      log(`  ${label}: ${net.requests} requests, ${kb(net.bytesUp + net.bytesDown)}, ${fmtMs(median(times))}`);
      return { label, requests: net.requests, bytes: net.bytesUp + net.bytesDown, ms: median(times), out: last };
    }
    const lines = (n) => (r) => {
      if (r.stdoutLines !== n) throw new Error(`expected ${n} lines of output, got ${r.stdoutLines}`);
    };

    const list = await run("sessions list", [...cli, "sessions", "list"], lines(o.sessions));
    const exp = await run("export", [...cli, "export"], lines(o.sessions));
    const naiveSearch = await run(`export | grep -i ${RARE}`, shell(`export | grep -i ${RARE}`), lines(RARE_SESSIONS));
    const search = await run(`search ${RARE}`, [...cli, "search", RARE], lines(RARE_SESSIONS));
    const regex = await run(`search '${RARE}' --regex`, [...cli, "search", RARE, "--regex"], lines(RARE_SESSIONS));
    const common = await run(
      "search order --limit 100 (a common word)",
      [...cli, "search", "order", "--limit", "100"],
      lines(100),
    );
    const naiveStats = await run(
      "export | count roles (node)",
      shell(
        `export | "${process.execPath}" -e 'let n=0;require("readline").createInterface({input:process.stdin}).on("line",l=>{for(const e of JSON.parse(l).elements)n++}).on("close",()=>console.log(n))'`,
      ),
      lines(1),
    );
    const stats = await run("stats --json", [...cli, "stats", "--json"]);

    const budgetBytes = search.bytes <= 0.1 * exp.bytes;
    const budgetRequests = search.requests <= 2 * list.requests + 2;
    const rows = [list, exp, naiveSearch, search, regex, common, naiveStats, stats];
    const md = [
      BEGIN,
      "## search and stats",
      "",
      `Written by \`node bench/search-stats.mjs\` (part of \`npm run bench\`): ${fmtInt(o.sessions)} sessions of ${o.messages} messages`,
      `(LangChain JS elements, every third with a TTL), ${RARE_SESSIONS} of them with one more message holding \`${RARE}\`; REST`,
      `through the local endpoint behind a proxy that adds ${o.latencyMs} ms per HTTP request and counts requests and body bytes`,
      `both ways. Median of ${o.runs} ${o.runs === 1 ? "run" : "runs"}.`,
      "",
      ...mdTable(
        ["operation", "HTTP requests", "bytes moved", "time"],
        rows.map((r) => [`\`${r.label.replace(/\|/g, "\\|")}\``, String(r.requests), kb(r.bytes), fmtMs(r.ms)]),
      ),
      "",
      `Budget for a rare-term search: at most 10% of the bytes of \`export\` (${kb(0.1 * exp.bytes)}): **${kb(search.bytes)}, ${((search.bytes / exp.bytes) * 100).toFixed(1)}%** ${budgetBytes ? "(met)" : "(NOT met)"};`,
      `at most 2 × the requests of \`sessions list\` + 2 (${2 * list.requests + 2}): **${search.requests}** ${budgetRequests ? "(met)" : "(NOT met)"}.`,
      `\`search\` is ${(naiveSearch.ms / search.ms).toFixed(1)}× faster than \`export | grep\`, and \`stats\` moves ${((stats.bytes / exp.bytes) * 100).toFixed(1)}% of export's bytes.`,
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
    log(`search-stats: wrote ${path.relative(process.cwd(), o.out)}`);
    if (!budgetBytes || !budgetRequests) process.exitCode = 1;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
