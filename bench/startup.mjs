// Start-up and one-request commands, side by side with what the same request
// costs elsewhere: `node -e 0` (the reference every ratio is taken to), node
// with one http.request, with one fetch, with ioredis, Upstash's own CLI
// (`@upstash/cli`, `upstash redis exec`), and redis-cli. Loopback, no simulated
// latency: REST commands go straight to the local endpoint, redis:// ones and
// redis-cli straight to redis-server.
//
// Every variant runs once per round and the rounds are repeated (after two
// warm-up rounds), so a burst of load from elsewhere on the machine touches
// all variants alike; medians are taken per variant. The load average before
// and after is recorded: on a busy machine every ratio drifts towards 1.
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { BENCH_DIR, ROOT, fmtMB, fmtMs, kibToMB, log, max, measure, median, which } from "./lib.mjs";
import { cliAuth } from "./baselines.mjs";

const ONE_REQUEST = path.join(BENCH_DIR, "one-request.mjs");

/** The @upstash/cli launcher and version, when the dev dependency is installed. */
function upstashCli() {
  try {
    const require = createRequire(path.join(ROOT, "package.json"));
    const pkgPath = require.resolve("@upstash/cli/package.json");
    const pkg = require(pkgPath);
    return {
      bin: path.join(path.dirname(pkgPath), typeof pkg.bin === "string" ? pkg.bin : pkg.bin.upstash),
      version: pkg.version,
    };
  } catch (err) {
    return { error: `@upstash/cli is not installed (${String(err?.message ?? err).split("\n")[0]})` };
  }
}

/**
 * @param {{ cli: string, restUrl: string, token: string, redisUrl: string, redisPort: number, db: number, prefix: string, id: string, runs: number, env: object }} o
 *   restUrl: the endpoint (no proxy); redisUrl: redis://…/db of the same data; `prefix` + `id`: a seeded session
 */
export async function startupSection(o) {
  const key = o.prefix + o.id;
  const node = process.execPath;
  const restEnv = { ...o.env, UPSTASH_REDIS_REST_URL: o.restUrl, UPSTASH_REDIS_REST_TOKEN: o.token };
  const redisEnv = { ...o.env, UPSTASH_REDIS_REST_URL: o.redisUrl, UPSTASH_REDIS_REST_TOKEN: "" };
  const upstash = upstashCli();
  const cliArgs = (...a) => [node, o.cli, "--prefix", o.prefix, ...a];

  /** @type {{ id: string, label: string, argv: string[], env: object, kind: string, node?: boolean, note?: string }[]} */
  const variants = [
    {
      id: "node",
      label: "`node -e 0` (reference)",
      argv: [node, "-e", "0"],
      env: o.env,
      kind: "reference",
      node: true,
    },
    {
      id: "http",
      label: "baseline: node + one `http.request` (REST)",
      argv: [node, ONE_REQUEST, "http", o.restUrl, o.token, key],
      env: o.env,
      kind: "baseline",
      node: true,
    },
    {
      id: "fetch",
      label: "baseline: node + one `fetch` (REST)",
      argv: [node, ONE_REQUEST, "fetch", o.restUrl, o.token, key],
      env: o.env,
      kind: "baseline",
      node: true,
    },
    {
      id: "ioredis",
      label: "baseline: node + ioredis: load, connect, LRANGE (redis://)",
      argv: [node, ONE_REQUEST, "ioredis", o.redisUrl, "-", key],
      env: o.env,
      kind: "baseline",
      node: true,
    },
  ];
  if (upstash.bin) {
    variants.push({
      id: "upstash",
      label: `baseline: Upstash's CLI (\`@upstash/cli\` ${upstash.version}): \`upstash redis exec --json '["LRANGE",key,"0","-1"]'\` (REST)`,
      argv: [node, upstash.bin, "redis", "exec", "--json", JSON.stringify(["LRANGE", key, "0", "-1"])],
      env: restEnv,
      kind: "baseline",
      node: true,
    });
  }
  if (which("redis-cli")) {
    variants.push({
      id: "redis-cli",
      label: "baseline: `redis-cli LRANGE key 0 -1` (RESP)",
      argv: ["redis-cli", "-h", "127.0.0.1", "-p", String(o.redisPort), "-n", String(o.db), "LRANGE", key, "0", "-1"],
      env: { ...o.env, ...cliAuth(o.redisUrl) },
      kind: "baseline",
    });
  }
  variants.push(
    {
      id: "version",
      label: "`upstash-memory --version`",
      argv: [node, o.cli, "--version"],
      env: o.env,
      kind: "version",
      node: true,
    },
    {
      id: "help-history-show",
      label: "`upstash-memory history show --help`",
      argv: cliArgs("history", "show", "--help"),
      env: o.env,
      kind: "help",
      node: true,
    },
    {
      id: "help-sessions-list",
      label: "`upstash-memory sessions list --help`",
      argv: cliArgs("sessions", "list", "--help"),
      env: o.env,
      kind: "help",
      node: true,
    },
    {
      id: "help-append",
      label: "`upstash-memory append --help`",
      argv: cliArgs("append", "--help"),
      env: o.env,
      kind: "help",
      node: true,
    },
    {
      id: "help-export",
      label: "`upstash-memory export --help`",
      argv: cliArgs("export", "--help"),
      env: o.env,
      kind: "help",
      node: true,
    },
    {
      id: "show",
      label: "`upstash-memory history show ID --json` (REST)",
      argv: cliArgs("--stats", "history", "show", o.id, "--json"),
      env: restEnv,
      kind: "rest",
      node: true,
    },
    {
      id: "append",
      label: "`upstash-memory append ID TEXT` (REST)",
      argv: cliArgs("--stats", "append", o.id, "Please remember: window seat.", "--role", "user"),
      env: restEnv,
      kind: "rest",
      node: true,
    },
    {
      id: "expire",
      label: "`upstash-memory expire ID 7d` (REST)",
      argv: cliArgs("--stats", "expire", o.id, "7d"),
      env: restEnv,
      kind: "rest",
      node: true,
    },
    {
      id: "show-redis",
      label: "`upstash-memory history show ID --json` (redis://)",
      argv: cliArgs("--stats", "history", "show", o.id, "--json"),
      env: redisEnv,
      kind: "redis",
      node: true,
    },
  );

  const loadStart = os.loadavg()[0];
  log(
    `start-up: ${variants.length} variants × ${o.runs} rounds (after 2 warm-up rounds), interleaved; load average ${loadStart.toFixed(2)}`,
  );
  const samples = Object.fromEntries(variants.map((v) => [v.id, []]));
  const problems = Object.fromEntries(variants.map((v) => [v.id, new Set()]));
  for (let round = 0; round < o.runs + 2; round++) {
    for (const v of variants) {
      const m = await measure(v.argv, { node: v.node, env: v.env, timeoutMs: 60_000 });
      if (m.code !== 0)
        problems[v.id].add(`exit ${m.timedOut ? "timeout" : m.code}: ${m.stderr.trim().split("\n")[0]?.slice(0, 160)}`);
      else if (v.kind === "rest" && !/stats: 1 HTTP request/.test(m.stderr))
        problems[v.id].add(`not one request: ${m.stderr.trim().split("\n").pop()?.slice(0, 120)}`);
      if (round >= 2) samples[v.id].push(m);
    }
  }
  const loadEnd = os.loadavg()[0];

  const byId = {};
  for (const v of variants) {
    const s = samples[v.id];
    byId[v.id] = {
      ...v,
      wallMs: median(s.map((m) => m.wallMs)),
      rssKiB: max(s.map((m) => m.rssKiB)),
      runs: s.length,
      problems: [...problems[v.id]],
    };
  }
  const ref = byId.node.wallMs;
  for (const r of Object.values(byId)) r.ratio = r.wallMs / ref;
  log(
    `  → node -e 0 ${fmtMs(ref)}; ${Object.values(byId)
      .filter((r) => r.id !== "node")
      .map((r) => `${r.id} ${r.ratio.toFixed(2)}×`)
      .join(", ")}; load ${loadEnd.toFixed(2)}`,
  );

  const rows = Object.values(byId).map((r) => ({
    op: `start-up: ${r.label}`,
    dataset: r.kind === "reference" || r.kind === "version" || r.kind === "help" ? "—" : "1 session of 10 messages",
    requests:
      r.kind === "rest" || r.id === "http" || r.id === "fetch" || r.id === "upstash"
        ? "1"
        : r.kind === "redis" || r.id === "ioredis" || r.id === "redis-cli"
          ? "— (RESP)"
          : "0",
    commands: "—",
    wall: fmtMs(r.wallMs),
    rss: fmtMB(r.rssKiB),
    notes: [
      `median of ${r.runs}`,
      r.id === "node" ? "every ratio below is to this" : `**${r.ratio.toFixed(2)}×** \`node -e 0\``,
      ...r.problems.map((p) => `**${p}**`),
    ].join("; "),
  }));
  if (upstash.error)
    rows.push({
      op: "start-up: baseline: Upstash's CLI (`@upstash/cli`)",
      dataset: "—",
      requests: "—",
      commands: "—",
      wall: "—",
      rss: "—",
      notes: `**not measured: ${upstash.error}**`,
    });
  return { byId, rows, loadStart, loadEnd, runs: o.runs, upstashError: upstash.error };
}

/** The start-up targets, as [ok, text, measured] triples. */
export function startupTargets(s) {
  const t = [];
  const ok = (r) => r && r.problems.length === 0;
  const ratio = (r) => `${r.ratio.toFixed(2)}× (${fmtMs(r.wallMs)} vs ${fmtMs(s.byId.node.wallMs)})`;
  for (const id of ["show", "append", "expire"]) {
    const r = s.byId[id];
    t.push([ok(r) && r.ratio <= 2.0, `${r.label}: median within 2.0× \`node -e 0\``, ratio(r)]);
    t.push([ok(r) && kibToMB(r.rssKiB) < 60, `${r.label}: peak RSS under 60 MB`, fmtMB(r.rssKiB)]);
  }
  const helps = Object.values(s.byId).filter((r) => r.kind === "help");
  const worst = helps.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  t.push([
    helps.every(ok) && worst.ratio <= 1.4,
    `\`--help\` of a subcommand: median within 1.4× \`node -e 0\` (the slowest of ${helps.length})`,
    `${worst.label.replace(/`/g, "").replace("upstash-memory ", "")}: ${ratio(worst)}`,
  ]);
  const v = s.byId.version;
  t.push([ok(v) && v.ratio <= 1.6, "`--version`: median within 1.6× `node -e 0`", ratio(v)]);
  const up = s.byId.upstash;
  if (!up)
    t.push([false, "one-request commands at least twice as fast as Upstash's CLI", `not measured: ${s.upstashError}`]);
  else {
    const slowest = ["show", "append", "expire"]
      .map((id) => s.byId[id])
      .reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
    const speedup = up.wallMs / slowest.wallMs;
    t.push([
      ok(up) && ok(slowest) && speedup >= 2,
      "one-request commands at least twice as fast as Upstash's CLI (`upstash redis exec`)",
      `${speedup.toFixed(2)}× (${fmtMs(up.wallMs)} vs the slowest, ${slowest.id}: ${fmtMs(slowest.wallMs)})`,
    ]);
  }
  return t;
}
