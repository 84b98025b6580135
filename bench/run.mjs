// `npm run bench`: measures the upstash-memory CLI against a local Upstash-
// compatible endpoint behind a proxy that adds a simulated network round trip,
// next to what users do today (an @upstash/redis loop, redis-cli), and writes
// bench/RESULTS.md.
//
//   node bench/run.mjs [--latency-ms 20] [--runs N] [--startup-runs 15]
//                      [--baseline-runs 1] [--sample 500] [--no-load]
//                      [--out bench/RESULTS.md] [--quick]
//
// Everything it starts (redis-server, the endpoint process, proxies, CLI runs)
// is stopped when it ends, also on failure or Ctrl-C.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { startRedisServer } from "../dist/src/dev/redis-process.js";
import { seedSessions, seedLongSession } from "./seed.mjs";
import { startProxy } from "./proxy.mjs";
import { upstashLoop, redisCliRun, redisCliScripts, redisCliHasScanCount } from "./baselines.mjs";
import { runLoad } from "./load.mjs";
import { terminalTable } from "./tty.mjs";
import { startupSection, startupTargets } from "./startup.mjs";
import {
  BENCH_DIR,
  CLI,
  ROOT,
  TMP,
  fmtInt,
  fmtMB,
  fmtMs,
  kibToMB,
  log,
  machineInfo,
  max,
  measure,
  median,
  parseCliStats,
  rssMethodName,
  snapshotBuild,
  startEndpointProcess,
  which,
} from "./lib.mjs";

// ------------------------------------------------------------------ options

function parseArgs(argv) {
  const o = {
    latencyMs: 20,
    runs: undefined,
    startupRuns: 21,
    baselineRuns: 1,
    sample: 500,
    load: true,
    out: path.join(BENCH_DIR, "RESULTS.md"),
    quick: false,
    only: null,
  };
  if (process.env.BENCH_ONLY) o.only = sectionList(process.env.BENCH_ONLY);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === "--latency-ms") o.latencyMs = num();
    else if (a === "--runs") o.runs = Math.max(1, Math.min(50, Math.round(num())));
    else if (a === "--startup-runs") o.startupRuns = Math.max(1, Math.min(200, Math.round(num())));
    else if (a === "--baseline-runs") o.baselineRuns = Math.max(1, Math.min(10, Math.round(num())));
    else if (a === "--sample") o.sample = Math.max(10, Math.round(num()));
    else if (a === "--no-load") o.load = false;
    else if (a === "--out") o.out = path.resolve(argv[++i]);
    else if (a === "--quick") o.quick = true;
    else if (a === "--only") o.only = sectionList(argv[++i] ?? "");
    else if (a === "--help" || a === "-h") {
      console.log(
        `usage: node bench/run.mjs [--only ${SECTIONS.join(",")}] [--latency-ms 20] [--runs N] [--startup-runs 21] [--baseline-runs 1] [--sample 500] [--no-load] [--out FILE] [--quick]`,
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.only && !argv.includes("--out")) o.out = path.join(TMP, `RESULTS.${o.only.join("+")}.md`);
  if (o.quick) {
    o.runs ??= 1;
    o.startupRuns = Math.min(o.startupRuns, 3);
    o.sample = Math.min(o.sample, 50);
    if (!argv.includes("--out")) o.out = path.join(TMP, "RESULTS.quick.md");
  }
  return o;
}

/**
 * Parts of the run, all by default. `--only startup,memory` (or BENCH_ONLY=...)
 * runs just those: a quick check of start-up and of memory at 100,000 sessions.
 *   requests  request budgets and speed at 1k/10k/100k, loops (a) and (b), the terminal table
 *   memory    peak RSS of `sessions list` (every output mode, with and without --sort) and `export` at 100k
 *   startup   start-up and one-request commands next to node, http, fetch, ioredis, @upstash/cli, redis-cli
 *   load      the endpoint under load
 */
const SECTIONS = ["requests", "memory", "startup", "load"];
function sectionList(text) {
  const list = text
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = list.filter((x) => !SECTIONS.includes(x));
  if (bad.length || !list.length) throw new Error(`--only takes a comma-separated list of ${SECTIONS.join(", ")}`);
  return list;
}

const opts = parseArgs(process.argv.slice(2));
const want = (section) => !opts.only || opts.only.includes(section);
/** Runs for an operation: --runs, else 5 for fast operations, 3 for slow ones. */
const runsFor = (slow) => opts.runs ?? (slow ? 3 : 5);

const TOKEN = "bench-token";
const SIZES = opts.quick
  ? { small: 200, medium: 1000, large: 5000, long: 1000 }
  : { small: 1000, medium: 10_000, large: 100_000, long: 10_000 };
const DATASETS = {
  small: { name: `${fmtInt(SIZES.small)} sessions`, prefix: "b1k:", db: 1, sessions: SIZES.small },
  medium: { name: `${fmtInt(SIZES.medium)} sessions`, prefix: "b10k:", db: 2, sessions: SIZES.medium },
  large: { name: `${fmtInt(SIZES.large)} sessions`, prefix: "b100k:", db: 3, sessions: SIZES.large },
  long: { name: `1 session of ${fmtInt(SIZES.long)} messages`, prefix: "blong:", db: 4, sessions: 1 },
  // One-request commands and start-up (bench/startup.mjs). The load test uses db 6.
  start: { name: "1 session of 10 messages", prefix: "bstart:", db: 5, sessions: 1 },
};
/** The datasets each section reads. */
const SECTION_DATA = {
  requests: ["small", "medium", "large", "long"],
  memory: ["large"],
  startup: ["start"],
  load: [],
};
const LONG_ID = "long-chat";
const ONE_ID = "user-0000000"; // present in every dataset (session 0)

// ------------------------------------------------------------------ state

const rows = []; // the results table
const raw = {}; // everything measured, for the JSON dump
const cleanups = [];
let redis;
const proxies = {};
/** The endpoint's URL per dataset, without the proxy (no simulated latency). */
const endpoints = {};

async function cleanup() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch {}
  }
}

// A last resort: however the run goes, it ends within 40 minutes.
setTimeout(() => {
  log("watchdog: the run took over 40 minutes; stopping everything");
  cleanup().finally(() => process.exit(1));
}, 40 * 60_000).unref();

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, () => {
    log(`${sig}: stopping everything`);
    cleanup().finally(() => process.exit(130));
  });
}

const dbUrl = (d) => `${redis.url}/${DATASETS[d].db}`;

async function seed(d) {
  const ds = DATASETS[d];
  if (d === "long") {
    const r = await seedLongSession(dbUrl(d), { key: ds.prefix + LONG_ID, messages: SIZES.long });
    ds.bytes = r.bytes;
    return;
  }
  await seedSessions(dbUrl(d), { prefix: ds.prefix, sessions: ds.sessions, messages: 10 });
}

async function dbsize(d) {
  const r = new Redis(dbUrl(d), { lazyConnect: true, maxRetriesPerRequest: 1 });
  r.on("error", () => {});
  try {
    await r.connect();
    return await r.dbsize();
  } finally {
    r.disconnect();
  }
}

// ------------------------------------------------------------------ CLI runs

function cliEnv(d) {
  return {
    UPSTASH_REDIS_REST_URL: proxies[d].url,
    UPSTASH_REDIS_REST_TOKEN: TOKEN,
    KV_REST_API_URL: "",
    KV_REST_API_TOKEN: "",
    UPSTASH_MEMORY_PROFILE: "",
    XDG_CONFIG_HOME: path.join(TMP, "config"),
    NO_COLOR: "1",
  };
}

/**
 * Measure one CLI operation `runs` times.
 * @param {{ op: string, d: string, args: string[], runs: number, before?: () => Promise<void>, after?: () => Promise<string|void>, expectLines?: number, firstLine?: boolean, note?: string }} c
 */
async function cliCase(c) {
  const ds = DATASETS[c.d];
  const label = `${c.op} — ${ds.name}`;
  log(`${label}: ${c.runs} run${c.runs === 1 ? "" : "s"}`);
  const samples = [];
  const problems = new Set();
  for (let i = 0; i < c.runs; i++) {
    if (c.before) await c.before();
    proxies[c.d].reset();
    const m = await measure([process.execPath, CLI, "--stats", "--prefix", ds.prefix, ...c.args], {
      node: true,
      env: cliEnv(c.d),
      timeoutMs: 300_000,
    });
    const proxy = proxies[c.d].snapshot();
    const cli = parseCliStats(m.stderr);
    samples.push({ ...m, proxy, cli, stdoutHead: undefined });
    if (m.code !== 0)
      problems.add(`exit ${m.timedOut ? "timeout" : m.code}: ${m.stderr.trim().split("\n")[0]?.slice(0, 160)}`);
    if (cli && (cli.requests !== proxy.requests || cli.commands !== proxy.commands)) {
      problems.add(`CLI --stats said ${cli.requests} requests / ${cli.commands} commands`);
    }
    if (c.expectLines !== undefined && m.code === 0 && m.stdoutLines !== c.expectLines)
      problems.add(`${m.stdoutLines} lines, expected ${c.expectLines}`);
    if (c.after) {
      const p = await c.after();
      if (p) problems.add(p);
    }
  }
  const reqs = samples.map((s) => s.proxy.requests);
  const cmds = samples.map((s) => s.proxy.commands);
  const result = {
    op: c.op,
    dataset: ds.name,
    d: c.d,
    runs: c.runs,
    requests: median(reqs),
    requestsRange: [Math.min(...reqs), Math.max(...reqs)],
    commands: median(cmds),
    commandsRange: [Math.min(...cmds), Math.max(...cmds)],
    wallMs: median(samples.map((s) => s.wallMs)),
    wallRange: [Math.min(...samples.map((s) => s.wallMs)), Math.max(...samples.map((s) => s.wallMs))],
    rssKiB: max(samples.map((s) => s.rssKiB)),
    firstLineMs: c.firstLine ? median(samples.map((s) => s.firstLineMs)) : null,
    stdoutBytes: median(samples.map((s) => s.stdoutBytes)),
    ok: problems.size === 0,
    problems: [...problems],
  };
  const notes = [`${c.runs} run${c.runs === 1 ? "" : "s"}`];
  if (result.requestsRange[0] !== result.requestsRange[1])
    notes.push(`requests ${result.requestsRange[0]}–${result.requestsRange[1]}`);
  if (c.firstLine) notes.push(`first line after ${fmtMs(result.firstLineMs)}`);
  if (c.expectLines !== undefined) notes.push(`${fmtInt(c.expectLines)} lines`);
  if (result.stdoutBytes > 100_000) notes.push(`${(result.stdoutBytes / 1e6).toFixed(1)} MB out`);
  if (c.note) notes.push(c.note);
  for (const p of result.problems) notes.push(`**${p}**`);
  rows.push({
    op: `\`${c.op}\``,
    dataset: ds.name,
    requests: fmtInt(result.requests),
    commands: fmtInt(result.commands),
    wall: fmtMs(result.wallMs),
    rss: fmtMB(result.rssKiB),
    notes: notes.join("; "),
  });
  raw[`${c.op} @ ${c.d}`] = {
    ...result,
    samples: samples.map(({ stderr, ...s }) => ({ ...s, stderr: stderr.slice(0, 500) })),
  };
  log(
    `  → ${fmtMs(result.wallMs)}, ${result.requests} requests, ${result.commands} commands, ${fmtMB(result.rssKiB)}${result.ok ? "" : `, problems: ${result.problems.join(" | ")}`}`,
  );
  return result;
}

// ------------------------------------------------------------------ main

async function main() {
  const t0 = Date.now();
  if (
    !existsSync(path.join(ROOT, "dist", "bundle", "main.mjs")) ||
    !existsSync(path.join(ROOT, "dist", "src", "dev", "server.js"))
  ) {
    throw new Error("dist/ is missing: run `npm run build` (or `npm run bench`)");
  }
  mkdirSync(TMP, { recursive: true });
  await snapshotBuild();
  log(`measuring the build copied to ${path.relative(ROOT, path.dirname(path.dirname(CLI)))}`);
  const machine = machineInfo();
  machine.loadStart = os.loadavg()[0];
  log(
    `machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, redis ${machine.redis}; peak RSS via ${rssMethodName()}`,
  );
  log(
    `simulated round trip: ${opts.latencyMs} ms per HTTP request${opts.quick ? " (quick mode: small datasets, 1 run)" : ""}`,
  );

  redis = await startRedisServer();
  cleanups.push(() => redis.stop());
  log(`redis-server on port ${redis.port}`);

  const keys = Object.keys(DATASETS).filter((d) => SECTIONS.some((x) => want(x) && SECTION_DATA[x].includes(d)));
  for (const d of keys) {
    const t = Date.now();
    await seed(d);
    log(`seeded ${DATASETS[d].name} (${DATASETS[d].prefix}, db ${DATASETS[d].db}) in ${fmtMs(Date.now() - t)}`);
  }

  const endpoint = await startEndpointProcess({ redisUrls: keys.map(dbUrl), token: TOKEN });
  cleanups.push(() => endpoint.stop());
  for (let i = 0; i < keys.length; i++) {
    endpoints[keys[i]] = endpoint.urls[i];
    proxies[keys[i]] = await startProxy({ upstream: endpoint.urls[i], latencyMs: opts.latencyMs });
    cleanups.push(() => proxies[keys[i]].close());
  }
  log(
    `endpoint process ${endpoint.pid}; proxies ${Object.values(proxies)
      .map((p) => p.url)
      .join(", ")}${opts.only ? `; sections: ${opts.only.join(", ")}` : ""}`,
  );

  const results = {};
  const sections = {};
  if (want("requests")) Object.assign(sections, await requestsSection(results));
  if (want("memory")) await memorySection(results);
  if (want("startup")) {
    const d = DATASETS.start;
    sections.startup = await startupSection({
      cli: CLI,
      restUrl: endpoints.start,
      token: TOKEN,
      redisUrl: dbUrl("start"),
      redisPort: redis.port,
      db: d.db,
      prefix: d.prefix,
      id: ONE_ID,
      runs: opts.startupRuns,
      env: {
        XDG_CONFIG_HOME: path.join(TMP, "config"),
        NO_COLOR: "1",
        KV_REST_API_URL: "",
        KV_REST_API_TOKEN: "",
        UPSTASH_MEMORY_PROFILE: "",
      },
    });
    rows.push(...sections.startup.rows);
    raw.startup = sections.startup.byId;
  }

  // --- endpoint under load
  let load = null;
  if (want("load") && opts.load) {
    log("endpoint under load");
    try {
      load = await runLoad({ redis, clients: 50, ops: opts.quick ? 40 : 200 });
    } catch (err) {
      load = { error: err?.message ?? String(err) };
    }
    raw.load = load;
  }

  machine.loadEnd = os.loadavg()[0];
  const totalMs = Date.now() - t0;
  const report = buildReport({ machine, results, ...sections, load, totalMs });
  mkdirSync(path.dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, report.markdown);
  writeFileSync(path.join(TMP, "results.json"), JSON.stringify({ opts, machine, raw, load }, null, 2));
  log(
    `wrote ${path.relative(ROOT, opts.out)} (raw samples: ${path.relative(ROOT, path.join(TMP, "results.json"))}) in ${fmtMs(totalMs)}`,
  );
  console.log(report.headline.join("\n"));
  return report.allMet;
}

/** Request budgets and speed at every size, next to loops (a) and (b). */
async function requestsSection(results) {
  const sizeDs = ["small", "medium", "large"];

  // --- sessions list
  for (const d of sizeDs) {
    results[`list-json-${d}`] = await cliCase({
      op: "sessions list --json",
      d,
      args: ["sessions", "list", "--json"],
      runs: runsFor(d === "large"),
    });
  }
  for (const d of sizeDs) {
    results[`list-ndjson-${d}`] = await cliCase({
      op: "sessions list --ndjson",
      d,
      args: ["sessions", "list", "--ndjson"],
      runs: runsFor(d === "large"),
      firstLine: true,
      expectLines: DATASETS[d].sessions,
    });
  }

  // --- the table on a terminal vs the same rows piped (bench/tty.mjs)
  {
    const n = Math.min(20_000, DATASETS.large.sessions);
    log(`sessions list --limit ${n}: terminal vs piped`);
    const t = await terminalTable({
      argv: [process.execPath, CLI, "--prefix", DATASETS.large.prefix, "sessions", "list", "--limit", String(n)],
      env: cliEnv("large"),
      runs: runsFor(true),
    });
    results.ttyTable = { ...t, rows: n };
    const note = t.skipped
      ? `not measured: ${t.skipped}`
      : `median of ${t.runs}; ${fmtInt(t.ttyLines)} lines at 120 columns, pager off; ${(t.ttyMs / t.pipedMs).toFixed(2)}× piped`;
    rows.push({
      op: `\`sessions list --limit ${fmtInt(n)}\` on a terminal (table)`,
      dataset: DATASETS.large.name,
      requests: "—",
      commands: "—",
      wall: t.skipped ? "—" : fmtMs(t.ttyMs),
      rss: "—",
      notes: note,
    });
    if (!t.skipped)
      rows.push({
        op: `\`sessions list --limit ${fmtInt(n)}\` piped (tab-separated)`,
        dataset: DATASETS.large.name,
        requests: "—",
        commands: "—",
        wall: fmtMs(t.pipedMs),
        rss: "—",
        notes: `median of ${t.runs}`,
      });
  }

  // --- history show
  results.history = await cliCase({
    op: "history show --json",
    d: "long",
    args: ["history", "show", LONG_ID, "--json"],
    runs: runsFor(false),
    note: `${((DATASETS.long.bytes ?? 0) / 1e6).toFixed(1)} MB stored`,
  });

  // --- summarize (when the CLI has it)
  const summarizeHelp = await measure([process.execPath, CLI, "summarize", "--help"], {
    rss: false,
    env: cliEnv("long"),
  });
  const hasSummarize = /Usage: upstash-memory summarize/.test(summarizeHelp.stdoutHead);
  if (hasSummarize) {
    for (const [d, id] of [
      ["medium", ONE_ID],
      ["long", LONG_ID],
    ]) {
      results[`summarize-${d}`] = await cliCase({
        op: "summarize <id> --store --engine extractive --yes",
        d,
        args: ["summarize", id, "--store", "--engine", "extractive", "--yes"],
        runs: runsFor(d === "long"),
        before: () =>
          d === "long"
            ? seed("long")
            : seedSessions(dbUrl(d), { prefix: DATASETS[d].prefix, sessions: DATASETS[d].sessions }),
        note: d === "long" ? "session re-seeded before each run" : "dataset re-seeded before each run",
      });
    }
    await seed("long");
  } else {
    rows.push({
      op: "`summarize <id> --store --engine extractive --yes`",
      dataset: "—",
      requests: "—",
      commands: "—",
      wall: "—",
      rss: "—",
      notes: "not measured: summarize not available",
    });
    log("summarize: not available in this build");
  }

  // --- single-session writes
  results.append = await cliCase({
    op: "append",
    d: "medium",
    args: ["append", ONE_ID, "I prefer window seats, please remember that.", "--role", "user"],
    runs: runsFor(false),
  });
  results.expireOne = await cliCase({
    op: "expire <id> 7d",
    d: "medium",
    args: ["expire", ONE_ID, "7d"],
    runs: runsFor(false),
  });

  // --- export
  for (const d of sizeDs) {
    results[`export-${d}`] = await cliCase({
      op: "export",
      d,
      args: ["export"],
      runs: runsFor(d === "large"),
      expectLines: DATASETS[d].sessions,
    });
  }

  // --- expire --match
  for (const d of sizeDs) {
    results[`expire-match-${d}`] = await cliCase({
      op: "expire --match '*' 30d --yes",
      d,
      args: ["expire", "--match", "*", "30d", "--yes"],
      runs: runsFor(d === "large"),
    });
  }
  // Back to the seeded TTLs for what follows.
  for (const d of sizeDs) await seed(d);

  // --- clear --match (re-seeded before each run)
  for (const d of sizeDs) {
    results[`clear-${d}`] = await cliCase({
      op: "clear --match '*' --yes",
      d,
      args: ["clear", "--match", "*", "--yes"],
      runs: runsFor(d === "large"),
      before: () => seed(d),
      after: async () => {
        const left = await dbsize(d);
        return left ? `${left} keys left after clear` : undefined;
      },
      note: "re-seeded before each run (not timed); db empty after",
    });
    await seed(d);
  }

  // --- (a) the @upstash/redis loop
  const loops = {};
  for (const d of sizeDs) {
    const ds = DATASETS[d];
    const full = d === "small";
    const limit = full ? undefined : Math.min(opts.sample, ds.sessions);
    log(`loop (a) @upstash/redis on ${ds.name}${full ? "" : ` (first ${limit} keys)`}: ${opts.baselineRuns} run(s)`);
    const samples = [];
    for (let i = 0; i < opts.baselineRuns; i++) {
      proxies[d].reset();
      const r = await upstashLoop({ url: proxies[d].url, token: TOKEN, match: `${ds.prefix}*`, limit });
      samples.push({ ms: r.ms, keys: r.keys, ...proxies[d].snapshot() });
    }
    const ms = median(samples.map((s) => s.ms));
    const sampleKeys = samples[0].keys;
    const requests = median(samples.map((s) => s.requests));
    const commands = median(samples.map((s) => s.commands));
    const factor = ds.sessions / sampleKeys;
    loops[d] = {
      measuredKeys: sampleKeys,
      measuredMs: ms,
      measuredRequests: requests,
      extrapolated: !full,
      wallMs: ms * factor,
      requests: Math.round(requests * factor),
      commands: Math.round(commands * factor),
    };
    const okKeys = full ? sampleKeys === ds.sessions : sampleKeys === limit;
    rows.push({
      op: "(a) @upstash/redis loop: SCAN + `llen` + `ttl` per key, awaited",
      dataset: ds.name,
      requests: `${full ? "" : "≈ "}${fmtInt(loops[d].requests)}`,
      commands: `${full ? "" : "≈ "}${fmtInt(loops[d].commands)}`,
      wall: `${full ? "" : "≈ "}${fmtMs(loops[d].wallMs)}`,
      rss: "—",
      notes: full
        ? `measured over all ${fmtInt(sampleKeys)} keys, ${opts.baselineRuns} run${opts.baselineRuns === 1 ? "" : "s"}; in-process (no node start-up: favours the loop)${okKeys ? "" : ` **saw ${sampleKeys} keys**`}`
        : `**extrapolated** linearly from the first ${fmtInt(sampleKeys)} keys (measured ${fmtMs(ms)}, ${fmtInt(requests)} requests) × ${factor.toFixed(0)}`,
    });
    raw[`loop-a @ ${d}`] = { ...loops[d], samples };
    log(`  → ${full ? "" : "≈ "}${fmtMs(loops[d].wallMs)} (${fmtInt(loops[d].requests)} requests)`);
  }

  // --- (b) redis-cli over RESP
  const cliRows = {};
  let scanNote = "";
  const rcli = async (name, d, script, runs, before) => {
    log(`redis-cli: ${name} — ${DATASETS[d].name}: ${runs} run(s)`);
    const samples = [];
    for (let i = 0; i < runs; i++) {
      if (before) await before();
      samples.push(await redisCliRun({ port: redis.port, db: DATASETS[d].db, redisUrl: redis.url, script }));
    }
    const failed = samples.find((s) => s.code !== 0);
    const r = {
      wallMs: median(samples.map((s) => s.wallMs)),
      commands: median(samples.map((s) => s.commands)),
      rssKiB: max(samples.map((s) => s.rssKiB)),
      runs,
    };
    rows.push({
      op: `(b) redis-cli: ${name}`,
      dataset: DATASETS[d].name,
      requests: "— (RESP)",
      commands: fmtInt(r.commands),
      wall: fmtMs(r.wallMs),
      rss: fmtMB(r.rssKiB),
      notes: `${runs} run${runs === 1 ? "" : "s"}; direct to redis-server, **no simulated round trip**; ${name.includes("--scan") ? `${scanNote}; ` : ""}RSS of the largest process in the pipeline${failed ? `; **exit ${failed.code}: ${failed.stderr.trim().slice(0, 120)}**` : ""}`,
    });
    raw[`redis-cli ${name} @ ${d}`] = { ...r, samples };
    log(`  → ${fmtMs(r.wallMs)}, ${r.commands} commands`);
    return r;
  };
  if (which("redis-cli")) {
    const scanCount = await redisCliHasScanCount(redis.port, redis.url);
    const scripts = redisCliScripts(scanCount);
    scanNote = scanCount
      ? "`redis-cli --scan --count 1000`"
      : "`redis-cli --scan` (this redis-cli has no `--count`: SCAN with Redis's default COUNT 10)";
    for (const d of sizeDs)
      cliRows[`list-${d}`] = await rcli(
        "`--scan` \\| LLEN + TTL per key (one redis-cli reading stdin)",
        d,
        scripts.list(`${DATASETS[d].prefix}*`),
        runsFor(d !== "small"),
      );
    cliRows.history = await rcli(
      "`LRANGE key 0 -1`",
      "long",
      scripts.history(DATASETS.long.prefix + LONG_ID),
      runsFor(false),
    );
    cliRows.expire = await rcli(
      "`--scan` \\| EXPIRE per key",
      "medium",
      scripts.expireMatch(`${DATASETS.medium.prefix}*`, 30 * 86_400),
      runsFor(true),
    );
    await seed("medium");
    cliRows.clear = await rcli(
      "`--scan` \\| UNLINK per key",
      "medium",
      scripts.clearMatch(`${DATASETS.medium.prefix}*`),
      runsFor(true),
      () => seed("medium"),
    );
    await seed("medium");
  } else {
    rows.push({
      op: "(b) redis-cli",
      dataset: "—",
      requests: "—",
      commands: "—",
      wall: "—",
      rss: "—",
      notes: "not measured: redis-cli not installed",
    });
  }

  return { loops, cliRows, hasSummarize };
}

/**
 * Peak memory over 100,000 sessions: `sessions list` in every output mode,
 * with and without --sort, and `export` (rows the requests section measured
 * already are not run twice).
 */
async function memorySection(results) {
  const d = "large";
  const n = DATASETS[d].sessions;
  const cases = [
    { key: `list-json-${d}`, op: "sessions list --json", args: ["sessions", "list", "--json"] },
    {
      key: `list-ndjson-${d}`,
      op: "sessions list --ndjson",
      args: ["sessions", "list", "--ndjson"],
      firstLine: true,
      expectLines: n,
    },
    {
      key: `list-table-${d}`,
      op: "sessions list (table, piped: tab-separated)",
      args: ["sessions", "list"],
      expectLines: n,
    },
    {
      key: `list-sort-table-${d}`,
      op: "sessions list --sort count (table, piped)",
      args: ["sessions", "list", "--sort", "count"],
      expectLines: n,
    },
    {
      key: `list-sort-json-${d}`,
      op: "sessions list --json --sort name",
      args: ["sessions", "list", "--json", "--sort", "name"],
    },
    {
      key: `list-sort-ndjson-${d}`,
      op: "sessions list --ndjson --sort ttl",
      args: ["sessions", "list", "--ndjson", "--sort", "ttl"],
      expectLines: n,
    },
    { key: `export-${d}`, op: "export", args: ["export"], expectLines: n },
  ];
  for (const c of cases) {
    if (results[c.key]) continue;
    results[c.key] = await cliCase({ ...c, d, runs: runsFor(true) });
  }
  results.memory = cases.map((c) => ({ op: c.op, ...results[c.key] }));
}

// ------------------------------------------------------------------ report

function buildReport({ machine, results, loops, cliRows = {}, startup, load, totalMs }) {
  const L = opts.latencyMs;
  const M = DATASETS.medium.name;
  const targets = [];
  const target = (ok, text, measured) =>
    targets.push({ ok, line: `- ${ok ? "✓" : "✗"} ${text} — measured ${measured}${ok ? "" : " — **missed**"}` });
  const lm = results["list-json-medium"];
  const ln = results["list-ndjson-large"];
  const h = results.history;
  const okRun = (r) => r?.ok;
  const headline = [
    `upstash-memory bench (${L} ms simulated round trip${opts.only ? `; sections: ${opts.only.join(", ")}` : ""}):`,
  ];

  if (lm && loops) {
    target(
      okRun(lm) && lm.requests <= 25,
      `\`sessions list\` over ${M}: at most 25 HTTP requests`,
      `${fmtInt(lm.requests)} requests (${fmtInt(lm.commands)} Redis commands)`,
    );
    target(
      okRun(lm) && lm.wallMs < 2000,
      `\`sessions list\` over ${M}: under 2 s`,
      `${fmtMs(lm.wallMs)} (median of ${lm.runs})`,
    );
    const speedup = loops.medium.wallMs / lm.wallMs;
    target(
      okRun(lm) && speedup >= 50,
      `\`sessions list\` over ${M}: at least 50× faster than loop (a)`,
      `${speedup.toFixed(0)}× (${fmtMs(lm.wallMs)} vs ≈ ${fmtMs(loops.medium.wallMs)}, loop (a) extrapolated from ${fmtInt(loops.medium.measuredKeys)} keys)`,
    );
    const smallRatio = loops.small.wallMs / results["list-json-small"].wallMs;
    headline.push(
      `  sessions list over ${M}: ${fmtMs(lm.wallMs)}, ${lm.requests} HTTP requests; loop (a) ≈ ${fmtMs(loops.medium.wallMs)}, ≈ ${fmtInt(loops.medium.requests)} requests (extrapolated) → ${speedup.toFixed(0)}× faster, ${(loops.medium.requests / lm.requests).toFixed(0)}× fewer requests`,
      `  sessions list over ${DATASETS.small.name}: ${fmtMs(results["list-json-small"].wallMs)} vs loop (a) ${fmtMs(loops.small.wallMs)} (measured) → ${smallRatio.toFixed(0)}× faster`,
    );
    if (cliRows["list-medium"])
      headline.push(`  redis-cli (no simulated latency) LLEN+TTL over ${M}: ${fmtMs(cliRows["list-medium"].wallMs)}`);
  }
  if (ln) {
    target(
      okRun(ln) && ln.firstLineMs !== null && ln.firstLineMs <= 1000,
      `\`sessions list --ndjson\` over ${DATASETS.large.name}: first line within 1 s`,
      `${fmtMs(ln.firstLineMs)} (median, from spawn)`,
    );
    headline.push(
      `  sessions list --ndjson over ${DATASETS.large.name}: first line ${fmtMs(ln.firstLineMs)}, total ${fmtMs(ln.wallMs)}`,
    );
  }
  for (const m of results.memory ?? []) {
    target(
      okRun(m) && kibToMB(m.rssKiB) < 150,
      `\`${m.op}\` over ${DATASETS.large.name}: peak RSS under 150 MB`,
      `${fmtMB(m.rssKiB)} (highest of ${m.runs} run${m.runs === 1 ? "" : "s"})`,
    );
  }
  if (results.memory) {
    const worst = results.memory.reduce((a, b) => ((b.rssKiB ?? 0) > (a.rssKiB ?? 0) ? b : a));
    headline.push(
      `  peak RSS over ${DATASETS.large.name}, every sessions list mode and export: at most ${fmtMB(worst.rssKiB)} (${worst.op})`,
    );
  }
  if (h) {
    target(
      okRun(h) && h.requests === 1,
      `\`history show\` of ${fmtInt(SIZES.long)} messages: 1 HTTP request`,
      `${fmtInt(h.requests)} request (${fmtInt(h.commands)} Redis commands)`,
    );
    target(
      okRun(h) && h.wallMs < 1000,
      `\`history show\` of ${fmtInt(SIZES.long)} messages: under 1 s`,
      fmtMs(h.wallMs),
    );
    headline.push(`  history show of ${fmtInt(SIZES.long)} messages: ${fmtMs(h.wallMs)}, ${h.requests} request`);
  }
  if (results.append)
    target(
      okRun(results.append) && results.append.requests === 1,
      "`append`: 1 HTTP request",
      `${fmtInt(results.append.requests)} (${fmtInt(results.append.commands)} Redis command${results.append.commands === 1 ? "" : "s"})`,
    );
  if (results.expireOne)
    target(
      okRun(results.expireOne) && results.expireOne.requests === 1,
      "`expire <id>`: 1 HTTP request",
      `${fmtInt(results.expireOne.requests)} (${fmtInt(results.expireOne.commands)} Redis command${results.expireOne.commands === 1 ? "" : "s"})`,
    );
  const tt = results.ttyTable;
  if (tt && !tt.skipped)
    target(
      tt.ttyMs <= tt.pipedMs * 1.5,
      `\`sessions list\` of ${fmtInt(tt.rows)} rows on a terminal: within 1.5× of piping them`,
      `${fmtMs(tt.ttyMs)} vs ${fmtMs(tt.pipedMs)} (${(tt.ttyMs / tt.pipedMs).toFixed(2)}×)`,
    );
  if (startup) {
    for (const [ok, text, measured] of startupTargets(startup)) target(ok, `start-up: ${text}`, measured);
    const b = startup.byId;
    const r = (id) => (b[id] ? `${b[id].ratio.toFixed(2)}×` : "—");
    headline.push(
      `  start-up (loopback, no simulated latency; node -e 0 = ${fmtMs(b.node.wallMs)}, load ${startup.loadStart.toFixed(1)}→${startup.loadEnd.toFixed(1)}):`,
      `    history show ${r("show")}, append ${r("append")}, expire ${r("expire")} (REST; peak RSS ≤ ${fmtMB(max(["show", "append", "expire"].map((id) => b[id].rssKiB)))}); over redis:// ${r("show-redis")}`,
      `    --help ${["help-history-show", "help-sessions-list", "help-append", "help-export"].map(r).join("/")}, --version ${r("version")}`,
      `    baselines: http.request ${r("http")}, fetch ${r("fetch")}, ioredis ${r("ioredis")}, Upstash's CLI ${r("upstash")}, redis-cli ${r("redis-cli")}`,
    );
  }
  if (load) {
    const ok = !!load.ok;
    target(
      ok,
      `endpoint under load (${load.clients ?? 50} clients): no errors, no lost writes`,
      load.error
        ? `failed: ${load.error}`
        : `${fmtInt(load.errors)} errors, ${fmtInt(load.lostWrites)} lost, ${fmtInt(load.extraWrites)} extra of ${fmtInt(load.requests)} requests`,
    );
    if (!load.error) {
      const rb = load.redisBenchmark?.rates ?? {};
      headline.push(
        `  endpoint under load: ${fmtInt(load.requestsPerSecond)} requests/s, ${fmtInt(load.commandsPerSecond)} commands/s${rb.LPUSH ? ` (redis-benchmark: LPUSH ${fmtInt(rb.LPUSH)}/s, LRANGE_100 ${fmtInt(rb.LRANGE_100)}/s)` : ""}`,
      );
    }
  }
  const allMet = targets.every((t) => t.ok);
  headline.push(`  targets: ${targets.filter((t) => t.ok).length}/${targets.length} met`);

  const gib = (b) => (b / 2 ** 30).toFixed(1);
  const md = [];
  md.push("# upstash-memory benchmark results", "");
  md.push(
    `Generated by \`npm run bench\` (\`node bench/run.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}\`) on ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC; the whole run took ${fmtMs(totalMs)}.`,
    "",
  );
  md.push(
    `**Simulated network round trip: ${L} ms per HTTP request**, added by the benchmark's proxy (bench/proxy.mjs) in front of the local Upstash-compatible endpoint (\`upstash-memory dev\`'s server, backed by redis-server). The proxy also counts the HTTP requests and the Redis commands they carry.`,
    "",
  );
  if (opts.quick) md.push("**Quick mode: small datasets and single runs; not the reference numbers.**", "");
  md.push("## Machine", "");
  md.push(`- CPU: ${machine.cpu}, ${machine.cores} cores`);
  md.push(
    `- Memory: ${gib(machine.memory)} GiB${machine.memoryAvailable ? ` (${gib(machine.memoryAvailable)} GiB available at start)` : ""}`,
  );
  md.push(`- Node.js ${machine.node}; redis-server ${machine.redis}; ${machine.os}`);
  md.push(
    `- Load average (1 min): ${machine.loadStart.toFixed(2)} at the start, ${machine.loadEnd.toFixed(2)} at the end (other processes on the machine share its ${machine.cores} cores and add noise to wall times)`,
  );
  md.push(
    `- Peak RSS measured with ${rssMethodName() === "gnu-time" ? "GNU time (`/usr/bin/time -f %M`)" : "`node --import bench/rss-probe.mjs` (process.resourceUsage().maxRSS)"}`,
    "",
  );
  md.push("## Datasets", "");
  md.push(
    "Seeded with ioredis pipelines straight into redis-server; list elements are JSON StoredMessages byte for byte as LangChain JS / Flowise write them (newest first), sessions of 10 messages (human/ai turns, some with a system prompt or a tool call), every third session with a TTL. Each dataset lives in its own Redis logical database, as in an app's own database, so a SCAN walks that dataset only; the CLI is pointed at it with `--prefix`.",
    "",
  );
  for (const d of Object.keys(DATASETS)) {
    const ds = DATASETS[d];
    md.push(
      `- ${ds.name}: prefix \`${ds.prefix}\`, db ${ds.db}${d === "long" ? ` (key \`${ds.prefix}${LONG_ID}\`, ${((ds.bytes ?? 0) / 1e6).toFixed(1)} MB of elements)` : ""}`,
    );
  }
  md.push("");
  md.push("## Results", "");
  md.push(
    "Wall time: median over the runs, from spawning the process to its exit (node start-up included). Peak RSS: the highest over the runs. HTTP requests and Redis commands: counted by the proxy (the CLI's own `--stats` is checked against them).",
    "",
  );
  md.push("| operation | dataset | HTTP requests | Redis commands | wall time (median) | peak RSS | notes |");
  md.push("| --- | --- | ---: | ---: | ---: | ---: | --- |");
  for (const r of rows)
    md.push(`| ${r.op} | ${r.dataset} | ${r.requests} | ${r.commands} | ${r.wall} | ${r.rss} | ${r.notes} |`);
  md.push("");
  md.push(`## Targets (at ${L} ms simulated round trip; start-up rows: loopback, no simulated latency)`, "");
  for (const t of targets) md.push(t.line);
  md.push(
    "",
    allMet ? "All targets met." : `**${targets.filter((t) => !t.ok).length} of ${targets.length} targets missed.**`,
    "",
  );
  md.push("## Headline", "", "```", ...headline, "```", "");
  if (startup) {
    md.push("## Start-up and one-request commands", "");
    md.push(
      `Rows \`start-up: …\`: every variant once per round, ${startup.runs} rounds after 2 warm-up rounds, interleaved so that load from elsewhere on the machine touches them alike; the median of each, and its ratio to the median of \`node -e 0\` in the same run. Loopback and **no simulated latency**: REST commands go straight to the endpoint process, redis:// ones and redis-cli straight to redis-server. Load average (1 min) ${startup.loadStart.toFixed(2)} before, ${startup.loadEnd.toFixed(2)} after: on a busy machine wall times stretch and every ratio drifts.`,
      "",
    );
    md.push(
      "- `http.request` / `fetch`: `bench/one-request.mjs`, a script that starts node, sends the same `LRANGE` over REST and prints the reply; the difference between the two is the cost of initialising the global fetch (undici) on Node 20.",
    );
    md.push(
      "- ioredis: the same script loading ioredis, connecting and sending `LRANGE`: what any redis:// client in Node pays before its first reply.",
    );
    md.push(
      "- Upstash's CLI: `@upstash/cli` (a dev dependency of the benchmark), `upstash redis exec LRANGE key 0 -1` against the same endpoint.",
    );
    md.push(
      "- The CLI's one-request commands run with `--stats`, and each run is checked to have sent exactly one HTTP request.",
      "",
    );
  }
  md.push("## Endpoint under load", "");
  if (!load) md.push(want("load") ? "Not run (`--no-load`)." : "Not run (not in `--only`).", "");
  else if (load.error) md.push(`**Failed:** ${load.error}`, "");
  else {
    const rb = load.redisBenchmark;
    md.push(
      `\`bench/load.mjs\`: ${load.clients} concurrent clients × ${load.opsPerClient} requests each, straight to the endpoint (no simulated latency), a mix of single commands (\`POST /\` LPUSH, LRANGE 0 99, EXPIRE; \`GET /llen/key\`), \`/pipeline\` (2 LPUSH, LLEN, LRANGE) and \`/multi-exec\` (LPUSH, EXPIRE, LLEN); every reply is checked, then every list is read back from redis and compared with what was pushed. The clients run in the benchmark process and the endpoint in a process of its own, on the same 2 cores as redis-server.`,
      "",
    );
    md.push("| what | value |", "| --- | ---: |");
    md.push(
      `| requests | ${fmtInt(load.requests)} (${fmtInt(load.commands)} Redis commands) in ${load.seconds.toFixed(2)} s |`,
    );
    md.push(
      `| endpoint throughput | ${fmtInt(load.requestsPerSecond)} requests/s, ${fmtInt(load.commandsPerSecond)} commands/s |`,
    );
    md.push(`| errors | ${fmtInt(load.errors)} |`);
    md.push(`| lost / extra writes | ${fmtInt(load.lostWrites)} / ${fmtInt(load.extraWrites)} |`);
    if (rb?.available) {
      for (const [t, v] of Object.entries(rb.rates))
        md.push(`| redis-benchmark ${t} (RESP, same redis-server) | ${fmtInt(v)} requests/s |`);
    } else md.push("| redis-benchmark | not installed |");
    md.push("");
    if (rb?.available) md.push(`redis-benchmark command: \`${rb.command}\``, "");
    for (const s of load.samples ?? []) md.push(`- problem: ${s}`);
    if (load.samples?.length) md.push("");
  }
  md.push("## How to read this", "");
  md.push(
    `- Loop (a) is what a user writes with @upstash/redis today: \`scan(cursor, {match, count: 1000})\`, then \`await redis.llen(key)\` and \`await redis.ttl(key)\` for each key, one after the other. At ${L} ms per round trip, ${M} cost about 2 × ${fmtInt(SIZES.medium)} round trips, so it is run in full on ${DATASETS.small.name} only, and on the first ${fmtInt(opts.sample)} keys of the larger sets, then extrapolated linearly (marked ≈). It reads less than the CLI (no newest message).`,
  );
  md.push(
    "- Loop (b) is redis-cli over RESP: `redis-cli --scan` piped into one redis-cli that reads the per-key commands from stdin (one round trip per command, unpipelined). redis-cli talks to redis-server directly, without the simulated round trip: it is a lower bound of what a RESP client pays on loopback, not a like-for-like comparison; against a remote Upstash database every one of its commands would pay the round trip. Its Redis commands are counted from redis-server's INFO stats.",
  );
  md.push("- `sessions list --ndjson` first line: time from spawning the CLI to the first newline on its stdout.");
  md.push(
    "- The CLI measured is the build `npm run bench` made, copied to `.tmp/bench/cli` at the start, so that rebuilding `dist/` during the run does not change what is measured.",
  );
  md.push("");
  return { markdown: md.join("\n"), headline, allMet };
}

// ------------------------------------------------------------------ run

let exitCode = 0;
try {
  const met = await main();
  exitCode = 0;
  if (!met) log("some targets were missed (see the Targets section)");
} catch (err) {
  log(`failed: ${err?.stack ?? err}`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
