// The ways the CLI reaches Redis; end-to-end tests run on each: the REST
// endpoint, redis:// to one Redis, and redis:// to a Redis Cluster (the URL of
// one of its replicas: the CLI finds the rest).
import { afterAll } from "vitest";
import { Cluster, Redis as IORedis } from "ioredis";
import { inject } from "vitest";
import { stack } from "./stack.js";
import { runCli, type RunOptions, type RunResult } from "./cli.js";

export type TransportName = "rest" | "redis" | "cluster";
export const TRANSPORTS: TransportName[] = ["rest", "redis", "cluster"];

/** Environment (or flags) that point the CLI at the test stack. */
export function connectionEnv(t: TransportName): Record<string, string> {
  const s = stack();
  if (t === "cluster") return { UPSTASH_REDIS_REST_URL: inject("clusterUrl") };
  return t === "rest"
    ? { UPSTASH_REDIS_REST_URL: s.restUrl, UPSTASH_REDIS_REST_TOKEN: s.restToken }
    : { UPSTASH_REDIS_REST_URL: s.redisUrl };
}

/** A cluster-aware client of the shared test cluster, as an app would use. */
export function clusterApp(): Cluster {
  const port = inject("clusterPorts")[0];
  return new Cluster([{ host: "127.0.0.1", port }], {
    redisOptions: { password: inject("clusterPassword"), maxRetriesPerRequest: 2 },
  });
}

/**
 * The app's client for the Redis a transport reaches (REST and redis:// share
 * one), closed after the suite. Call it inside a describe block. Typed as a
 * plain client: the commands tests use exist on both, one key at a time.
 */
export function appOn(t: TransportName): IORedis {
  const client = t === "cluster" ? (clusterApp() as unknown as IORedis) : appRedis();
  afterAll(() => client.quit());
  return client;
}

/** KEYS on every master (a cluster's KEYS sees one node), sorted; as bytes with `buffers`. */
export function keysOn(app: IORedis, pattern: string): Promise<string[]>;
export function keysOn(app: IORedis, pattern: string, buffers: true): Promise<Buffer[]>;
export async function keysOn(app: IORedis, pattern: string, buffers?: true): Promise<(string | Buffer)[]> {
  const nodes = app instanceof Cluster ? (app as Cluster).nodes("master") : [app];
  const all = (await Promise.all(nodes.map((n) => (buffers ? n.keysBuffer(pattern) : n.keys(pattern))))).flat();
  return all.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** DBSIZE summed over every master. */
export async function dbsizeOf(app: IORedis): Promise<number> {
  const nodes = app instanceof Cluster ? (app as Cluster).nodes("master") : [app];
  const sizes = await Promise.all(nodes.map((n) => n.dbsize()));
  return sizes.reduce((a, b) => a + b, 0);
}

/** DEL one key at a time (a cluster refuses keys of several slots in one command). */
export async function delKeys(app: IORedis, ...keys: string[]): Promise<void> {
  for (const k of keys) await app.del(k);
}

/** Many one-key writes, pipelined per key so a cluster routes each (ioredis splits nothing itself). */
export async function lpushMany(app: IORedis, entries: [key: string, element: string][]): Promise<void> {
  if (!(app instanceof Cluster)) {
    const pipe = app.pipeline();
    for (const [k, e] of entries) pipe.lpush(k, e);
    await pipe.exec();
    return;
  }
  const bySlotNode = new Map<string, [string, string][]>();
  const cluster = app as Cluster;
  await cluster.ping(); // connected: the slot map is known
  const { slotOf } = await import("../../src/store/slots.js");
  for (const entry of entries) {
    const node = cluster.slots[slotOf(entry[0])]?.[0] ?? "";
    const list = bySlotNode.get(node) ?? [];
    list.push(entry);
    bySlotNode.set(node, list);
  }
  const byName = new Map(cluster.nodes("master").map((n) => [`${n.options.host}:${n.options.port}`, n]));
  await Promise.all(
    [...bySlotNode].map(async ([node, list]) => {
      const target = byName.get(node);
      if (!target) {
        for (const [k, e] of list) await cluster.lpush(k, e);
        return;
      }
      for (let i = 0; i < list.length; i += 1000) {
        const pipe = target.pipeline();
        for (const [k, e] of list.slice(i, i + 1000)) pipe.lpush(k, e);
        const results = await pipe.exec();
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0];
      }
    }),
  );
}

export function cliOn(t: TransportName) {
  return (args: string[], opts: RunOptions = {}): Promise<RunResult> =>
    runCli(args, { ...opts, env: { ...connectionEnv(t), ...opts.env } });
}

/** A direct connection playing the app (LangChain/Flowise) and checking results. */
export function appRedis(): IORedis {
  return new IORedis(stack().redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Push elements given oldest first, as an app does (LPUSH each in turn). */
export async function writeConversation(
  r: IORedis,
  key: string,
  oldestFirst: (string | Buffer)[],
  ttl?: number,
): Promise<void> {
  for (const e of oldestFirst) await r.lpush(key, e);
  if (ttl) await r.expire(key, ttl);
}

export async function lrangeBytes(r: IORedis, key: string | Buffer): Promise<Buffer[]> {
  return r.lrangeBuffer(key, 0, -1);
}

/** How many of the keys exist (EXISTS one key at a time, for a cluster). */
export async function existing(app: IORedis, ...keys: string[]): Promise<number> {
  let n = 0;
  for (const k of keys) n += await app.exists(k);
  return n;
}
