// Listing at scale: 1,000,000 sessions of 2 messages over redis:// on loopback,
// every listing mode and `export` next to a hand-written ioredis script (the
// baseline, bench/baseline-script.mjs) measured in the same run; the same
// listing over REST through the local endpoint, straight and behind the 20 ms
// proxy; `history show` of one session of 100,000 messages in every format.
// Writes its own section of bench/RESULTS.md (or --out FILE), between the
// scale markers (scale-10m with BENCH_10M=1); the rest of the file is kept.
//
//   npm run build && node bench/scale.mjs [--sessions 1000000] [--only list,rest,history,latency]
//     [--modes ndjson,json,table,sort,export]
//   BENCH_10M=1 node bench/scale.mjs   # 10,000,000 sessions: needs about 3 GB of Redis memory
//
// Everything it starts (redis-server on a free port, the endpoint process, the
// proxy) is stopped when it ends, also on failure or Ctrl-C.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { startRedisServer } from "../dist/src/dev/redis-process.js";
import { seedLongSession, seedSessions } from "./seed.mjs";
import { startProxy } from "./proxy.mjs";
import {
  BENCH_DIR,
  CLI,
  fmtInt,
  fmtMB,
  fmtMs,
  kibToMB,
  log,
  machineInfo,
  measure,
  parseCliStats,
  snapshotBuild,
  startEndpointProcess,
  cleanupStack,
} from "./lib.mjs";

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const TEN_M = process.env.BENCH_10M === "1";
const SESSIONS = Number(arg("--sessions", TEN_M ? 10_000_000 : 1_000_000));
const LONG = Number(arg("--long", 100_000));
const ONLY = arg("--only", "list,rest,history,latency").split(",");
// Which listing modes `list` runs (the baseline always runs, first and last).
const MODES = arg("--modes", "ndjson,json,table,sort,export").split(",");
const OUT = path.resolve(arg("--out", path.join(BENCH_DIR, "RESULTS.md")));
// Its own section of OUT, between these markers; the rest of the file is kept.
const SECTION = TEN_M ? "scale-10m" : "scale";
const LATENCY_MS = Number(arg("--latency-ms", 20));
const TOKEN = "bench-token";
const PREFIX = "s:";
const LONG_KEY = "long:chat";
const TIMEOUT = TEN_M ? 3_600_000 : 900_000;

const { cleanups, cleanup } = cleanupStack();

const rows = [];
function record(what, transport, r, extra = {}) {
  const row = {
    what,
    transport,
    ms: r.wallMs,
    rssMB: r.rssKiB === null ? null : kibToMB(r.rssKiB),
    lines: r.stdoutLines,
    bytes: r.stdoutBytes,
    code: r.code,
    ...extra,
  };
  rows.push(row);
  log(
    `${what} (${transport}): ${fmtMs(r.wallMs)}, ${r.rssKiB === null ? "?" : fmtMB(r.rssKiB)}, ${fmtInt(r.stdoutLines)} lines${r.code === 0 ? "" : `, exit ${r.code}: ${r.stderr.slice(0, 300)}`}`,
  );
  return row;
}

const cli = (url, args, env = {}) =>
  measure([process.execPath, CLI, ...args], {
    node: true,
    timeoutMs: TIMEOUT,
    env: { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: TOKEN, KV_REST_API_URL: "", ...env },
  });

try {
  await snapshotBuild();
  const loadStart = os.loadavg()[0];
  const started = Date.now();
  const redis = await startRedisServer({ args: ["--maxmemory", "0"] });
  cleanups.push(() => redis.stop());
  const db = (n) => `${redis.url}/${n}`;
  log(`seeding ${fmtInt(SESSIONS)} sessions of 2 messages…`);
  const t0 = Date.now();
  await seedSessions(db(1), { prefix: PREFIX, sessions: SESSIONS, messages: 2, batch: 5000, keepIds: false });
  const seedMs = Date.now() - t0;
  log(`seeded in ${fmtMs(seedMs)}; one session of ${fmtInt(LONG)} messages…`);
  const long = await seedLongSession(db(2), { key: LONG_KEY, messages: LONG });

  const list = ["--prefix", PREFIX, "sessions", "list"];
  const modes = [
    ["ndjson", "sessions list --ndjson", [...list, "--ndjson"]],
    ["json", "sessions list --json", [...list, "--json"]],
    ["table", "sessions list (piped table)", list],
    ["sort", "sessions list --sort count (piped)", [...list, "--sort", "count"]],
    ["export", "export --match '*'", ["--prefix", PREFIX, "export", "--match", "*"]],
  ].filter(([mode]) => MODES.includes(mode));
  let baseline;
  if (ONLY.includes("list")) {
    // The baseline first and last: its median is the yardstick of the modes between.
    const base = [];
    const runBase = async () => {
      const r = await measure([process.execPath, path.join(BENCH_DIR, "baseline-script.mjs"), db(1), `${PREFIX}*`], {
        node: true,
        timeoutMs: TIMEOUT,
      });
      base.push(record("hand-written ioredis script (baseline)", "redis://", r));
    };
    await runBase();
    for (const [, what, args] of modes) record(what, "redis://", await cli(db(1), args));
    await runBase();
    baseline = Math.min(...base.map((b) => b.ms));
  }
  let restRow;
  const redisNdjson = rows.find((r) => r.what === "sessions list --ndjson" && r.transport === "redis://");
  if (ONLY.includes("rest") || ONLY.includes("latency")) {
    const endpoint = await startEndpointProcess({ redisUrls: [db(1)], token: TOKEN });
    cleanups.push(() => endpoint.stop());
    const { urls } = endpoint;
    if (ONLY.includes("rest")) {
      restRow = record(
        "sessions list --ndjson",
        "REST (dev endpoint)",
        await cli(urls[0], ["--prefix", PREFIX, "--stats", "sessions", "list", "--ndjson"]),
      );
    }
    if (ONLY.includes("latency")) {
      const proxy = await startProxy({ upstream: urls[0], latencyMs: LATENCY_MS });
      cleanups.push(() => proxy.close());
      const r = await cli(proxy.url, ["--prefix", PREFIX, "--stats", "sessions", "list", "--ndjson"]);
      record("sessions list --ndjson", `REST + ${LATENCY_MS} ms round trip`, r, {
        requests: proxy.stats.requests,
        commands: proxy.stats.commands,
        cliStats: parseCliStats(r.stderr),
      });
    }
  }
  if (ONLY.includes("history")) {
    for (const format of ["json", "ndjson", "markdown", "text", "table"]) {
      record(
        `history show (${fmtInt(LONG)} messages) --format ${format}${format === "table" ? " (piped)" : ""}`,
        "redis://",
        await cli(db(2), ["--prefix", "long:", "history", "show", "chat", "--format", format]),
      );
    }
  }
  const loadEnd = os.loadavg()[0];
  writeSection(OUT, report({ baseline, restRow, redisNdjson, seedMs, long, loadStart, loadEnd, started }));
  log(`wrote ${path.relative(process.cwd(), OUT)}`);
} finally {
  await cleanup();
}

function writeSection(file, md) {
  const begin = `<!-- ${SECTION}:begin -->`;
  const end = `<!-- ${SECTION}:end -->`;
  const before = existsSync(file) ? readFileSync(file, "utf8") : "";
  const at = before.indexOf(begin);
  const endAt = before.indexOf(end);
  const section = `${begin}\n${md.trimEnd()}\n${end}`;
  const next =
    at >= 0 && endAt > at
      ? before.slice(0, at) + section + before.slice(endAt + end.length)
      : `${before.trimEnd()}${before ? "\n\n" : ""}${section}\n`;
  writeFileSync(file, next);
  // Tables padded as the lint's formatter wants them.
  spawnSync(path.join(BENCH_DIR, "..", "node_modules", ".bin", "biome"), ["format", "--write", file], {
    stdio: "ignore",
  });
}

function report({ baseline, restRow, redisNdjson, seedMs, long, loadStart, loadEnd, started }) {
  const m = machineInfo();
  const ratio = (ms) => (baseline ? `${(ms / baseline).toFixed(2)}×` : "—");
  const lines = [
    `## Listing at scale: ${fmtInt(SESSIONS)} sessions`,
    "",
    `Generated by \`node bench/scale.mjs\`${TEN_M ? " with BENCH_10M=1" : ""} on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; the run took ${fmtMs(Date.now() - started)} (seeding ${fmtMs(seedMs)}).`,
    "",
    `- ${m.cpu}, ${m.cores} cores; Node.js ${process.version}; redis-server ${m.redis}; load average (1 min) ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end: other processes share the cores, wall times stretch with them.`,
    `- Data: ${fmtInt(SESSIONS)} sessions of 2 messages (LangChain JS StoredMessages, every third with a TTL) under \`${PREFIX}\` in one Redis logical database, redis-server on loopback; one session of ${fmtInt(LONG)} messages (${(long.bytes / 1e6).toFixed(1)} MB of elements) in another.`,
    "- One run each: wall time from spawn to exit (node start-up included); peak RSS from GNU time. The baseline (`bench/baseline-script.mjs`: SCAN COUNT 1000 per page, one pipeline of TYPE/LLEN/TTL/LINDEX per page, NDJSON out, a write per page) runs first and last; the ratio is to the faster of its two runs.",
    "",
    "| what | transport | wall time | × baseline | peak RSS | output | notes |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of rows) {
    const notes = [];
    if (r.code !== 0) notes.push(`**exit ${r.code}**`);
    if (r.requests !== undefined)
      notes.push(`${fmtInt(r.requests)} HTTP requests, ${fmtInt(r.commands)} Redis commands`);
    if (r === restRow && redisNdjson) notes.push(`${(r.ms / redisNdjson.ms).toFixed(2)}× redis://`);
    const cmp = r.transport === "redis://" && !r.what.startsWith("history") ? ratio(r.ms) : "—";
    lines.push(
      `| ${r.what} | ${r.transport} | ${fmtMs(r.ms)} | ${cmp} | ${r.rssMB === null ? "—" : `${r.rssMB.toFixed(1)} MB`} | ${fmtInt(r.lines)} lines, ${(r.bytes / 1e6).toFixed(1)} MB | ${notes.join("; ")} |`,
    );
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}
