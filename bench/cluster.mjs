// `npm run bench`, Redis Cluster part: the CLI over redis:// on a 3-master
// Redis Cluster next to one redis-server holding the same 100,000 sessions
// (the same bytes and TTLs: the cluster's copy is made with DUMP/RESTORE).
// Loopback, no simulated latency: what is compared is the work, not the
// network. Writes bench/RESULTS-cluster.md.
//
//   node bench/cluster.mjs [--sessions 100000] [--runs 3] [--quick] [--out FILE]
//
// Everything it starts (redis-servers, CLI runs) is stopped when it ends,
// also on failure or Ctrl-C.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort, startRedisServer } from "../dist/src/dev/redis-process.js";
import { startRedisCluster } from "../test/harness/redis-cluster-core.mjs";
import { seedSessions } from "./seed.mjs";
import {
  BENCH_DIR,
  CLI,
  TMP,
  fmtInt,
  fmtMB,
  fmtMs,
  log,
  machineInfo,
  max,
  measure,
  median,
  snapshotBuild,
  cleanupStack,
} from "./lib.mjs";

function parseArgs(argv) {
  const o = { sessions: 100_000, runs: 3, out: path.join(BENCH_DIR, "RESULTS-cluster.md"), quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--sessions") o.sessions = Math.max(100, Math.round(Number(argv[++i])));
    else if (a === "--runs") o.runs = Math.max(1, Math.min(20, Math.round(Number(argv[++i]))));
    else if (a === "--out") o.out = path.resolve(argv[++i]);
    else if (a === "--quick") o.quick = true;
    else if (a === "--help" || a === "-h") {
      console.log("usage: node bench/cluster.mjs [--sessions 100000] [--runs 3] [--quick] [--out FILE]");
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.quick) {
    if (!argv.includes("--sessions")) o.sessions = 5_000;
    if (!argv.includes("--runs")) o.runs = 1;
    if (!argv.includes("--out")) o.out = path.join(TMP, "RESULTS-cluster.quick.md");
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const PREFIX = "bench:";
const { cleanups, cleanup } = cleanupStack();

/** The single Redis's keys, copied byte for byte (DUMP/RESTORE with the TTL left) to the cluster, a pipeline per master. */
async function copyToCluster(singleUrl, cluster) {
  const from = new Redis(singleUrl, { maxRetriesPerRequest: 1 });
  const to = cluster.client();
  try {
    await to.ping();
    const masters = new Map(to.nodes("master").map((n) => [`${n.options.host}:${n.options.port}`, n]));
    const { slotOf } = await import("../dist/src/store/slots.js");
    let cursor = "0";
    let copied = 0;
    do {
      const [next, keys] = await from.scanBuffer(cursor, "COUNT", 2000);
      cursor = String(next);
      const read = from.pipeline();
      for (const k of keys) read.dumpBuffer(k).pttl(k);
      const got = await read.exec();
      const byNode = new Map();
      keys.forEach((k, i) => {
        const node = to.slots[slotOf(k)][0];
        const pttl = Number(got[2 * i + 1][1]);
        const p = byNode.get(node) ?? byNode.set(node, masters.get(node).pipeline()).get(node);
        p.restore(k, Math.max(pttl, 0), got[2 * i][1], "REPLACE");
      });
      for (const p of byNode.values()) {
        const res = await p.exec();
        const failed = res.find(([err]) => err);
        if (failed) throw failed[0];
      }
      copied += keys.length;
    } while (cursor !== "0");
    return copied;
  } finally {
    from.disconnect();
    to.disconnect();
  }
}

/** "stats: N round trips, M Redis commands (host:port: n round trips, m commands; ...)" */
function parseStats(stderr) {
  const m = /stats:\s*(\d+)\s+round trips?,\s*(\d+)\s+Redis commands?(?: \((.*)\))?/.exec(stderr);
  if (!m) return null;
  const nodes = [...(m[3] ?? "").matchAll(/([\w.-]+:\d+): (\d+) round trips?, (\d+) commands/g)].map((x) => ({
    node: x[1],
    trips: Number(x[2]),
    commands: Number(x[3]),
  }));
  return { trips: Number(m[1]), commands: Number(m[2]), nodes };
}

async function run(label, url, args, { expectLines } = {}) {
  const samples = [];
  for (let i = 0; i < opts.runs; i++) {
    const m = await measure([process.execPath, CLI, ...args, "--prefix", PREFIX, "--stats"], {
      node: true,
      env: { UPSTASH_REDIS_REST_URL: url, NO_COLOR: "1", XDG_CONFIG_HOME: path.join(TMP, "config") },
      timeoutMs: 600_000,
    });
    if (m.code !== 0) throw new Error(`${label}: ${args.join(" ")} exited ${m.code}: ${m.stderr.slice(0, 300)}`);
    if (expectLines !== undefined && m.stdoutLines !== expectLines)
      throw new Error(`${label}: ${args.join(" ")} printed ${m.stdoutLines} lines, expected ${expectLines}`);
    samples.push(m);
  }
  const stats = parseStats(samples[0].stderr);
  const result = {
    label,
    op: args.map((a) => (a.startsWith("/") ? "FILE" : a)).join(" "),
    wallMs: median(samples.map((s) => s.wallMs)),
    firstLineMs: median(samples.map((s) => s.firstLineMs ?? NaN)),
    rssKiB: max(samples.map((s) => s.rssKiB)),
    stats,
    runs: samples.length,
  };
  log(
    `  ${label}: ${result.op}: ${fmtMs(result.wallMs)}, ${fmtMB(result.rssKiB)}, ${stats ? `${stats.trips} round trips` : "no stats"}`,
  );
  return result;
}

async function main() {
  const t0 = Date.now();
  mkdirSync(TMP, { recursive: true });
  await snapshotBuild();
  const machine = machineInfo();
  machine.loadStart = os.loadavg()[0];
  log(`cluster bench: ${fmtInt(opts.sessions)} sessions, ${opts.runs} run(s) each`);

  const single = await startRedisServer();
  cleanups.push(() => single.stop());
  const cluster = await startRedisCluster({
    startRedisServer,
    freePort,
    masters: 3,
    replicasPerMaster: 0,
    nodeTimeoutMs: 60_000,
  });
  cleanups.push(() => cluster.stop());
  log(`redis-server on ${single.port}; cluster masters on ${cluster.nodes.map((n) => n.port).join(", ")}`);

  let t = Date.now();
  await seedSessions(single.url, { prefix: PREFIX, sessions: opts.sessions });
  log(`seeded ${fmtInt(opts.sessions)} sessions in ${fmtMs(Date.now() - t)}`);
  t = Date.now();
  const copied = await copyToCluster(single.url, cluster);
  log(`copied ${fmtInt(copied)} keys to the cluster in ${fmtMs(Date.now() - t)}`);

  const targets = { "one Redis": single.url, "3-master cluster": cluster.url };
  const results = [];
  for (const [args, extra] of [
    [["sessions", "list", "--json"], {}],
    [["sessions", "list", "--ndjson"], { expectLines: opts.sessions }],
    [["export", "-o", path.join(TMP, "cluster-export.jsonl"), "--force"], {}],
  ]) {
    for (const [label, url] of Object.entries(targets)) results.push(await run(label, url, args, extra));
  }
  machine.loadEnd = os.loadavg()[0];
  writeReport(machine, results, Date.now() - t0);
}

function writeReport(machine, results, totalMs) {
  const md = [];
  md.push("# upstash-memory on a Redis Cluster", "");
  md.push(
    `Generated by \`node bench/cluster.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}\` (part of \`npm run bench\`) on ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC; the run took ${fmtMs(totalMs)}.`,
    "",
  );
  md.push(
    `${fmtInt(opts.sessions)} sessions of 10 messages (the main benchmark's data, every third with a TTL) in one redis-server, copied byte for byte to a 3-master Redis Cluster (no replicas) on the same machine. The CLI talks \`redis://\` to each, on loopback with no simulated latency.`,
    "",
  );
  md.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node.js ${machine.node}, redis-server ${machine.redis}; load average ${machine.loadStart.toFixed(2)} → ${machine.loadEnd.toFixed(2)} (other processes share the cores).`,
    "",
  );
  md.push(
    "| operation | Redis | round trips | Redis commands | round trips per master | wall time (median) | first line | peak RSS |",
  );
  md.push("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |");
  for (const r of results) {
    const per = r.stats?.nodes?.length ? r.stats.nodes.map((n) => `${fmtInt(n.trips)}`).join(" / ") : "—";
    const first = Number.isFinite(r.firstLineMs) && r.op.includes("--ndjson") ? fmtMs(r.firstLineMs) : "—";
    md.push(
      `| \`${r.op}\` | ${r.label} | ${r.stats ? fmtInt(r.stats.trips) : "—"} | ${r.stats ? fmtInt(r.stats.commands) : "—"} | ${per} | ${fmtMs(r.wallMs)} | ${first} | ${fmtMB(r.rssKiB)} |`,
    );
  }
  md.push("");
  md.push(
    "On the cluster every master is walked at once, each at the cost of one Redis for the keys it holds: ≈ N/1,000 + 1 round trips per master, plus one for the cluster's layout (`CLUSTER NODES`, `CLUSTER INFO`). Each page also asks `ROLE`, so a master replaced mid-walk (failover) is noticed: one more command per page, no more round trips.",
    "",
  );
  writeFileSync(opts.out, md.join("\n"));
  // Tables padded as the lint's formatter wants them.
  spawnSync(path.join(BENCH_DIR, "..", "node_modules", ".bin", "biome"), ["format", "--write", opts.out], {
    stdio: "ignore",
  });
  log(`wrote ${path.relative(process.cwd(), opts.out)}`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  log(`failed: ${err?.stack ?? err}`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
