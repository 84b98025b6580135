// The local REST endpoint under load: concurrent clients send a bounded mix of
// commands (LPUSH, LRANGE, LLEN, EXPIRE, /pipeline, /multi-exec) straight to
// the endpoint (no latency proxy); afterwards every list is read back to check
// that no write was lost or doubled. Reports the endpoint's throughput next to
// redis-benchmark on the same redis-server.
//
//   node bench/load.mjs [--clients 50] [--ops 200]
//
// Also imported by bench/run.mjs ("endpoint under load").
import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { startRedisServer } from "../dist/src/dev/redis-process.js";
import { log, startEndpointProcess, which } from "./lib.mjs";

const TOKEN = "bench-load-token";

async function call(url, path, body, method = "POST") {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}: not JSON: ${text.slice(0, 120)}`);
  }
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  return parsed;
}

function single(reply) {
  if (reply?.error) throw new Error(reply.error);
  return reply.result;
}

function each(replies, n) {
  if (!Array.isArray(replies) || replies.length !== n)
    throw new Error(`expected ${n} replies, got ${JSON.stringify(replies).slice(0, 120)}`);
  return replies.map(single);
}

/** One client: `ops` requests, each awaited before the next. */
async function client(url, id, ops, counters, expected) {
  const own = `load:client:${id}`;
  const shared = "load:shared";
  const pushed = [];
  let sharedPushed = 0;
  const msg = (j) =>
    JSON.stringify({
      type: j % 2 ? "ai" : "human",
      data: { content: `client ${id} message ${j}`, additional_kwargs: {}, response_metadata: {} },
    });
  for (let j = 0; j < ops; j++) {
    try {
      switch (j % 6) {
        case 0: {
          const n = single(await call(url, "/", ["LPUSH", own, msg(j)]));
          pushed.push(msg(j));
          if (n !== pushed.length) throw new Error(`LPUSH returned ${n}, expected ${pushed.length}`);
          counters.commands += 1;
          break;
        }
        case 1: {
          const items = single(await call(url, "/", ["LRANGE", own, "0", "99"]));
          if (!Array.isArray(items) || items.length !== Math.min(pushed.length, 100))
            throw new Error(`LRANGE returned ${items?.length} items`);
          counters.commands += 1;
          break;
        }
        case 2: {
          const n = single(await call(url, `/llen/${encodeURIComponent(own)}`, undefined, "GET"));
          if (n !== pushed.length) throw new Error(`LLEN ${n}, expected ${pushed.length}`);
          counters.commands += 1;
          break;
        }
        case 3: {
          const r = single(await call(url, "/", ["EXPIRE", own, "600"]));
          if (r !== (pushed.length ? 1 : 0)) throw new Error(`EXPIRE returned ${r}`);
          counters.commands += 1;
          break;
        }
        case 4: {
          const r = each(
            await call(url, "/pipeline", [
              ["LPUSH", own, msg(j)],
              ["LPUSH", shared, `${id}:${j}`],
              ["LLEN", own],
              ["LRANGE", shared, "0", "9"],
            ]),
            4,
          );
          pushed.push(msg(j));
          sharedPushed++;
          if (r[0] !== pushed.length || r[2] !== pushed.length)
            throw new Error(`pipeline LPUSH/LLEN ${r[0]}/${r[2]}, expected ${pushed.length}`);
          counters.commands += 4;
          break;
        }
        case 5: {
          const r = each(
            await call(url, "/multi-exec", [
              ["LPUSH", own, msg(j)],
              ["EXPIRE", own, "600"],
              ["LLEN", own],
            ]),
            3,
          );
          pushed.push(msg(j));
          if (r[0] !== pushed.length || r[1] !== 1 || r[2] !== pushed.length)
            throw new Error(`multi-exec ${JSON.stringify(r)}`);
          counters.commands += 3;
          break;
        }
      }
      counters.requests++;
    } catch (err) {
      counters.errors++;
      if (counters.samples.length < 5) counters.samples.push(`client ${id} op ${j}: ${err.message}`);
    }
  }
  expected.set(own, pushed);
  expected.shared = (expected.shared ?? 0) + sharedPushed;
}

async function redisBenchmark(port, redisUrl) {
  if (!which("redis-benchmark")) return { available: false };
  const args = [
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "--dbnum",
    "6",
    "-q",
    "-n",
    "20000",
    "-c",
    "50",
    "-t",
    "lpush,lrange_100",
  ];
  // redis-benchmark reads no password from the environment; the reported command leaves it out.
  const password = decodeURIComponent(new URL(redisUrl).password);
  const auth = password ? ["-a", password] : [];
  const out = await new Promise((resolve) => {
    execFile("redis-benchmark", [...auth, ...args], { timeout: 120_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) =>
      resolve({ err, text: `${stdout}\n${stderr}` }),
    );
  });
  const rates = {};
  for (const line of out.text.split(/[\r\n]+/)) {
    const m = /^(LPUSH|LRANGE_100[^:]*):\s*([\d.]+) requests per second/.exec(line.trim());
    if (m) rates[m[1].replace(/ .*/, "")] = Number(m[2]);
  }
  const error = out.err ? String(out.err.message ?? out.err) : undefined;
  return {
    available: true,
    command: `redis-benchmark ${args.join(" ")}`,
    rates,
    error: password ? error?.replaceAll(password, "••••") : error,
  };
}

/**
 * @param {{ redis?: { url: string, port: number }, clients?: number, ops?: number, db?: number }} opts
 *   redis: an already running redis-server to use (else one is started and stopped here)
 */
export async function runLoad(opts = {}) {
  const clients = opts.clients ?? 50;
  const ops = opts.ops ?? 200;
  const db = opts.db ?? 5;
  const own = opts.redis ? null : await startRedisServer();
  const redis = opts.redis ?? own;
  let endpoint;
  const direct = new Redis(`${redis.url}/${db}`, { lazyConnect: true, maxRetriesPerRequest: 1 });
  direct.on("error", () => {});
  try {
    await direct.connect();
    await direct.flushdb();
    endpoint = await startEndpointProcess({ redisUrls: [`${redis.url}/${db}`], token: TOKEN });
    const url = endpoint.urls[0];
    log(`load: ${clients} clients × ${ops} requests against ${url} (no added latency)`);
    const counters = { requests: 0, commands: 0, errors: 0, samples: [] };
    const expected = new Map();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: clients }, (_, id) => client(url, id, ops, counters, expected)));
    const seconds = (performance.now() - t0) / 1000;

    // Read everything back from redis directly.
    let lost = 0;
    let extra = 0;
    for (const [key, pushed] of expected) {
      if (key === "shared") continue;
      const stored = await direct.lrange(key, 0, -1);
      const want = pushed.slice().reverse();
      if (stored.length !== want.length || stored.some((v, i) => v !== want[i])) {
        const have = new Set(stored);
        lost += want.filter((v) => !have.has(v)).length;
        extra += Math.max(0, stored.length - want.length);
        if (counters.samples.length < 5)
          counters.samples.push(`${key}: stored ${stored.length}, expected ${want.length} in push order`);
      }
    }
    const sharedLen = await direct.llen("load:shared");
    if (sharedLen !== expected.shared) {
      lost += Math.max(0, expected.shared - sharedLen);
      extra += Math.max(0, sharedLen - expected.shared);
      counters.samples.push(`load:shared: ${sharedLen} elements, expected ${expected.shared}`);
    }
    await direct.flushdb();
    log(
      `load: ${counters.requests} requests in ${seconds.toFixed(1)} s, ${counters.errors} errors, ${lost} lost, ${extra} extra`,
    );

    log("load: redis-benchmark on the same redis-server");
    const bench = await redisBenchmark(redis.port, redis.url);
    await direct
      .select(6)
      .then(() => direct.flushdb())
      .catch(() => {});

    return {
      clients,
      opsPerClient: ops,
      requests: counters.requests,
      commands: counters.commands,
      errors: counters.errors,
      lostWrites: lost,
      extraWrites: extra,
      samples: counters.samples,
      seconds,
      requestsPerSecond: counters.requests / seconds,
      commandsPerSecond: counters.commands / seconds,
      redisBenchmark: bench,
      ok: counters.errors === 0 && lost === 0 && extra === 0 && counters.requests === clients * ops,
    };
  } finally {
    direct.disconnect();
    await endpoint?.stop();
    await own?.stop();
  }
}

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await runLoad({ clients: arg("--clients", 50), ops: Math.min(arg("--ops", 200), 10_000) });
  const rb = r.redisBenchmark;
  console.log(`endpoint under load: ${r.clients} clients × ${r.opsPerClient} requests`);
  console.log(`  ${r.requests} requests, ${r.commands} commands in ${r.seconds.toFixed(2)} s`);
  console.log(`  ${Math.round(r.requestsPerSecond)} requests/s, ${Math.round(r.commandsPerSecond)} commands/s`);
  console.log(`  errors: ${r.errors}, lost writes: ${r.lostWrites}, extra writes: ${r.extraWrites}`);
  for (const s of r.samples) console.log(`  ! ${s}`);
  if (rb.available)
    for (const [t, v] of Object.entries(rb.rates)) console.log(`  redis-benchmark ${t}: ${Math.round(v)} requests/s`);
  else console.log("  redis-benchmark: not installed");
  console.log(r.ok ? "load: ok" : "load: FAILED");
  process.exitCode = r.ok ? 0 : 1;
}
