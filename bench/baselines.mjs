// The same work done the ways users do it today:
// (a) a script with @upstash/redis: SCAN (MATCH, COUNT 1000), then LLEN and
//     TTL per key, each awaited before the next (one HTTP round trip each);
// (b) redis-cli over RESP: `redis-cli --scan` piped into one redis-cli that
//     reads the per-key commands from stdin. redis-cli talks to redis-server
//     directly, without the simulated round trip.
import { spawn } from "node:child_process";
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { measure, track } from "./lib.mjs";

/**
 * Loop (a) over every key matching `match`, or over the first `limit` keys.
 * @returns {Promise<{ keys: number, ms: number, sessions: Array<{key:string,count:number,ttl:number}> }>}
 */
export async function upstashLoop({ url, token, match, limit }) {
  const redis = new UpstashRedis({ url, token, enableTelemetry: false });
  const rows = [];
  const t0 = performance.now();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, { match, count: 1000 });
    cursor = String(next);
    for (const key of keys) {
      if (limit !== undefined && rows.length >= limit) break;
      const count = await redis.llen(key);
      const ttl = await redis.ttl(key);
      rows.push({ key, count, ttl });
    }
  } while (cursor !== "0" && (limit === undefined || rows.length < limit));
  return { keys: rows.length, ms: performance.now() - t0, sessions: rows };
}

/** Commands redis-server has processed so far (INFO stats). */
export async function redisCommandsProcessed(redisUrl) {
  // No ready check: its INFO would be counted too.
  const r = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableReadyCheck: false });
  r.on("error", () => {});
  try {
    await r.connect();
    const info = await r.info("stats");
    return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN);
  } finally {
    r.disconnect();
  }
}

function shq(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

/**
 * A redis-cli shell pipeline, measured as one process tree (GNU time's peak RSS
 * is then the largest process in it), with the Redis commands it caused
 * counted from INFO (minus the INFO call itself).
 * @param {{ port: number, db: number, redisUrl: string, script: (cli: string) => string }} o
 */
export async function redisCliRun({ port, db, redisUrl, script }) {
  const cli = `redis-cli -h 127.0.0.1 -p ${port} -n ${db}`;
  const before = await redisCommandsProcessed(redisUrl);
  const m = await measure(["bash", "-o", "pipefail", "-c", script(cli)], {
    timeoutMs: 300_000,
    env: cliAuth(redisUrl),
  });
  const after = await redisCommandsProcessed(redisUrl);
  // The first INFO is counted by the time the second runs: subtract it.
  return { ...m, commands: after - before - 1 };
}

/**
 * The shell scripts of (b), by operation. `count`: pass `--count 1000` to
 * `redis-cli --scan` (redis-cli 7.2+; older ones SCAN with Redis's default
 * COUNT of 10).
 */
export function redisCliScripts(count) {
  const scan = (match) => `--scan${count ? " --count 1000" : ""} --pattern ${shq(match)}`;
  return {
    list: (match) => (cli) => `${cli} ${scan(match)} | awk '{print "LLEN " $0; print "TTL " $0}' | ${cli} > /dev/null`,
    history: (key) => (cli) => `${cli} LRANGE ${shq(key)} 0 -1 > /dev/null`,
    expireMatch: (match, seconds) => (cli) =>
      `${cli} ${scan(match)} | awk '{print "EXPIRE " $0 " ${seconds}"}' | ${cli} > /dev/null`,
    clearMatch: (match) => (cli) => `${cli} ${scan(match)} | awk '{print "UNLINK " $0}' | ${cli} > /dev/null`,
  };
}

/** The password of a redis:// URL for redis-cli, in its environment rather than on the command line. */
export function cliAuth(redisUrl) {
  const password = decodeURIComponent(new URL(redisUrl).password);
  return password ? { REDISCLI_AUTH: password } : {};
}

/** Whether this redis-cli knows `--scan --count N`. */
export function redisCliHasScanCount(port, redisUrl) {
  return new Promise((resolve) => {
    const args = ["-h", "127.0.0.1", "-p", String(port), "--scan", "--count", "1000", "--pattern", "bench-probe:*"];
    const c = track(spawn("redis-cli", args, { stdio: "ignore", env: { ...process.env, ...cliAuth(redisUrl) } }));
    c.once("error", () => resolve(false));
    c.once("exit", (code) => resolve(code === 0));
  });
}

/** True when a program can be started. */
export function canRun(cmd, args = ["--version"]) {
  return new Promise((resolve) => {
    const c = track(spawn(cmd, args, { stdio: "ignore" }));
    c.once("error", () => resolve(false));
    c.once("exit", (code) => resolve(code === 0));
  });
}
