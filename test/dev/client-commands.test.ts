// The local endpoint driven by the official @upstash/redis client, with its
// default options (base64 responses, read-your-writes sync token).
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IsolatedStack, stack, startIsolatedStack, uniqueId } from "../harness/stack.js";

const { restUrl, restToken, redisUrl } = stack();
const redis = new Redis({ url: restUrl, token: restToken });
let direct: IORedis;

beforeAll(() => {
  direct = new IORedis(redisUrl);
});
afterAll(() => {
  direct.disconnect();
});

describe("strings", () => {
  it("sets, gets, increments and deletes", async () => {
    const k = uniqueId("str");
    expect(await redis.set(k, "hello")).toBe("OK");
    expect(await redis.get(k)).toBe("hello");
    expect(await redis.set(k, "x", { nx: true })).toBeNull();
    expect(await redis.incr(`${k}:n`)).toBe(1);
    expect(await redis.incrby(`${k}:n`, 41)).toBe(42);
    expect(await redis.get(`${k}:n`)).toBe(42);
    expect(await redis.mget(k, `${k}:missing`)).toEqual(["hello", null]);
    expect(await redis.del(k, `${k}:n`)).toBe(2);
    expect(await redis.get(k)).toBeNull();
  });

  it("stores objects as JSON and reads them back", async () => {
    const k = uniqueId("json");
    await redis.set(k, { a: 1, nested: { b: [1, 2] } });
    expect(await redis.get(k)).toEqual({ a: 1, nested: { b: [1, 2] } });
    expect(await direct.get(k)).toBe('{"a":1,"nested":{"b":[1,2]}}');
  });
});

describe("lists", () => {
  it("LPUSH, RPUSH, LRANGE, LLEN, LINDEX, LTRIM", async () => {
    const k = uniqueId("list");
    expect(await redis.lpush(k, "b", "a")).toBe(2);
    expect(await redis.rpush(k, "c", "d")).toBe(4);
    expect(await redis.lrange(k, 0, -1)).toEqual(["a", "b", "c", "d"]);
    expect(await redis.llen(k)).toBe(4);
    expect(await redis.lindex(k, -1)).toBe("d");
    expect(await redis.lindex(k, 10)).toBeNull();
    expect(await redis.ltrim(k, 0, 1)).toBe("OK");
    expect(await redis.lrange(k, 0, -1)).toEqual(["a", "b"]);
    expect(await direct.lrange(k, 0, -1)).toEqual(["a", "b"]);
  });

  it("keeps JSON elements the way LangChain reads them", async () => {
    const k = uniqueId("list-json");
    await redis.lpush(k, JSON.stringify({ type: "human", data: { content: "hi" } }));
    expect(await redis.lrange(k, 0, -1)).toEqual([{ type: "human", data: { content: "hi" } }]);
  });
});

describe("hashes", () => {
  it("HSET and HGETALL", async () => {
    const k = uniqueId("hash");
    expect(await redis.hset(k, { name: "Ada", visits: 3 })).toBe(2);
    expect(await redis.hgetall(k)).toEqual({ name: "Ada", visits: 3 });
    expect(await redis.hget(k, "name")).toBe("Ada");
  });
});

describe("keys", () => {
  it("TYPE, EXISTS, DEL and UNLINK", async () => {
    const k = uniqueId("keys");
    await redis.set(`${k}:s`, "v");
    await redis.rpush(`${k}:l`, "v");
    await redis.hset(`${k}:h`, { f: "v" });
    expect(await redis.type(`${k}:s`)).toBe("string");
    expect(await redis.type(`${k}:l`)).toBe("list");
    expect(await redis.type(`${k}:h`)).toBe("hash");
    expect(await redis.type(`${k}:none`)).toBe("none");
    expect(await redis.exists(`${k}:s`, `${k}:l`, `${k}:none`)).toBe(2);
    expect(await redis.unlink(`${k}:s`, `${k}:l`)).toBe(2);
    expect(await redis.del(`${k}:h`, `${k}:none`)).toBe(1);
  });

  it("TTL, EXPIRE, PERSIST", async () => {
    const k = uniqueId("ttl");
    await redis.set(k, "v");
    expect(await redis.ttl(k)).toBe(-1);
    expect(await redis.expire(k, 300)).toBe(1);
    const ttl = await redis.ttl(k);
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(await redis.pttl(k)).toBeGreaterThan(290_000);
    expect(await redis.persist(k)).toBe(1);
    expect(await redis.ttl(k)).toBe(-1);
    expect(await redis.ttl(`${k}:missing`)).toBe(-2);
    await redis.set(k, "v", { ex: 100 });
    expect(await redis.ttl(k)).toBeGreaterThan(90);
  });
});

describe("SCAN", () => {
  // A database of its own: on the shared one a walk with COUNT 10 visits every
  // other test's keys too (hundreds of thousands while the listing tests run),
  // far more calls than a bounded loop makes, and would stop short of the end.
  let own: IsolatedStack;
  let ownRedis: Redis;
  let ownDirect: IORedis;
  beforeAll(async () => {
    own = await startIsolatedStack();
    ownRedis = new Redis({ url: own.restUrl, token: own.restToken });
    ownDirect = new IORedis(own.redisUrl);
  });
  afterAll(async () => {
    ownDirect?.disconnect();
    await own?.close();
  });

  async function scanAll(match: string, opts: { count?: number; type?: string } = {}): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | number = 0;
    // Bounded: 26 keys in a database of its own, COUNT >= 10 per call.
    for (let i = 0; i < 1_000; i++) {
      const [next, batch]: [string, string[]] = await ownRedis.scan(cursor, { match, ...opts });
      keys.push(...batch);
      cursor = next;
      if (String(next) === "0") return keys.sort();
    }
    throw new Error(`the walk did not end within 1,000 calls (cursor ${cursor})`);
  }

  it("walks all matching keys with MATCH and COUNT, and filters by TYPE", async () => {
    const p = uniqueId("scan");
    const strings = Array.from({ length: 25 }, (_, i) => `${p}:s${String(i).padStart(2, "0")}`);
    for (const k of strings) await ownDirect.set(k, "v");
    await ownDirect.rpush(`${p}:list`, "x");
    const want = [...strings, `${p}:list`].sort();
    const found = await scanAll(`${p}:*`, { count: 10 });
    // A key the walk missed that still exists points at the endpoint (cursor,
    // reply); one that is gone was deleted or expired by someone else meanwhile.
    const missed = want.filter((k) => !found.includes(k));
    const stillThere = await Promise.all(missed.map(async (k) => `${k}: exists=${await ownDirect.exists(k)}`));
    expect(found, `missed by the walk: ${stillThere.join(", ")}`).toEqual(want);
    expect(await scanAll(`${p}:*`, { count: 10, type: "list" })).toEqual([`${p}:list`]);
  });

  it("returns each key with its type when asked WITHTYPE", async () => {
    const p = uniqueId("withtype");
    await ownDirect.set(`${p}:config`, "{}");
    await ownDirect.rpush(`${p}:chat`, "m");
    await ownDirect.hset(`${p}:hash`, "f", "v");
    const found: Array<{ key: string; type: string }> = [];
    let cursor: string | number = 0;
    for (let i = 0; i < 1_000; i++) {
      const [next, batch]: [string, Array<{ key: string; type: string }>] = await ownRedis.scan(cursor, {
        match: `${p}:*`,
        count: 100,
        withType: true,
      });
      found.push(...batch);
      cursor = next;
      if (String(next) === "0") break;
    }
    expect(String(cursor), "the walk ended within 1,000 calls").toBe("0");
    expect(found.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: `${p}:chat`, type: "list" },
      { key: `${p}:config`, type: "string" },
      { key: `${p}:hash`, type: "hash" },
    ]);
  });
});

describe("scripts", () => {
  it("EVAL and EVALSHA with keys and arguments", async () => {
    const k = uniqueId("eval");
    const script = "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), 7}";
    expect(await redis.eval(script, [k], ["from-lua"])).toEqual(["from-lua", 7]);
    const sha = await redis.scriptLoad(script);
    expect(await redis.evalsha(sha, [k], ["again"])).toEqual(["again", 7]);
    expect(await redis.scriptExists(sha)).toEqual([1]);
  });

  it("runs a Script object (EVALSHA, falling back to EVAL)", async () => {
    const k = uniqueId("script");
    const script = redis.createScript<number>("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    expect(await script.exec([k], ["5"])).toBe(5);
    expect(await script.exec([k], ["5"])).toBe(10);
  });
});

describe("pipelines", () => {
  it("runs commands in order and returns every result", async () => {
    const k = uniqueId("pipe");
    const p = redis.pipeline();
    p.set(k, "v");
    p.get(k);
    p.rpush(`${k}:l`, "a", "b");
    p.lrange(`${k}:l`, 0, -1);
    p.incr(`${k}:n`);
    expect(await p.exec()).toEqual(["OK", "v", 2, ["a", "b"], 1]);
  });

  it("reports a failing command without failing the others (keepErrors)", async () => {
    const k = uniqueId("pipe-err");
    const p = redis.pipeline();
    p.set(k, "v");
    p.lpush(k, "x");
    p.get(k);
    const results = await p.exec({ keepErrors: true });
    expect(results[0]).toEqual({ result: "OK", error: undefined });
    expect(results[1].error).toMatch(/^WRONGTYPE/);
    expect(results[2]).toEqual({ result: "v", error: undefined });
  });

  it("serves concurrent commands with auto-pipelining", async () => {
    const auto = new Redis({ url: restUrl, token: restToken, enableAutoPipelining: true });
    const k = uniqueId("auto");
    // The client batches reads and writes into separate pipelines sent side by
    // side, so reads only see writes awaited before them.
    const writes = await Promise.all(
      [
        auto.set(`${k}:a`, "1"),
        auto.set(`${k}:b`, "2"),
        auto.incr(`${k}:n`),
        auto.rpush(`${k}:l`, "x", "y"),
        auto.lpush(`${k}:a`, "wrong type"),
      ].map((p) => p.catch((err: Error) => err.message)),
    );
    expect(writes.slice(0, 4)).toEqual(["OK", "OK", 1, 2]);
    expect(writes[4]).toMatch(/WRONGTYPE/);
    // The auto-pipelining proxy counts the pipelines it sent; its type does not show it.
    const pipelines = () => (auto as unknown as { pipelineCounter: number }).pipelineCounter;
    const before = pipelines();
    const reads = await Promise.all([
      auto.get(`${k}:a`),
      auto.get(`${k}:b`),
      auto.lrange(`${k}:l`, 0, -1),
      auto.exists(`${k}:a`),
    ]);
    expect(reads).toEqual([1, 2, ["x", "y"], 1]);
    expect(pipelines() - before).toBe(1);
  });
});

describe("automaticDeserialization: false", () => {
  it("returns the stored text untouched", async () => {
    const plain = new Redis({ url: restUrl, token: restToken, automaticDeserialization: false });
    const k = uniqueId("raw");
    await plain.set(k, '{"a":1}');
    expect(await plain.get(k)).toBe('{"a":1}');
    await plain.rpush(`${k}:l`, "42", '{"x":true}');
    expect(await plain.lrange(`${k}:l`, 0, -1)).toEqual(["42", '{"x":true}']);
    expect(await plain.incr(`${k}:n`)).toBe(1);
  });
});
