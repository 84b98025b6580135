// One request cannot take the endpoint down with the size of what it asks for:
// the reply is counted as it arrives (and, on dev's own redis-server, dropped
// by Redis before it is sent), a pipeline or transaction holds a bounded number
// of commands, and every refusal is a 400 that names its limit, while other
// clients keep being served. The payloads are the ones that crashed `dev`
// (SRANDMEMBER with a huge negative count, a read-only request) or held it for
// seconds (a 10 MB pipeline of a million PINGs).
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServerHandle } from "../../src/dev/redis-process.js";
import { startEndpoint, type Endpoint } from "../../src/dev/server.js";
import { rawCommand, rawRequest } from "../harness/stack.js";

const TOKEN = "bounded-replies-token-0123456789";
const READONLY = "bounded-replies-readonly-0123456789";
const TOO_LARGE = /^ERR reply too large: more than 10 MB \(the limit of dev --max-reply-bytes\)/;

let redis: RedisServerHandle;
/** As `dev` runs it: on its own redis-server, default limits. */
let own: Endpoint;
/** As `dev --redis URL` runs it: Redis sets no limit, the endpoint's count alone holds. */
let external: Endpoint;
let direct: IORedis;

beforeAll(async () => {
  redis = await startRedisServer();
  direct = new IORedis(redis.url);
  own = await startEndpoint({ redisUrl: redis.url, token: TOKEN, readonlyToken: READONLY, ownRedis: true });
  // A second server without the output limit own set on the first.
  external = await startEndpoint({
    redisUrl: redis.url,
    token: TOKEN,
    readonlyToken: READONLY,
    maxReplyBytes: 1024 * 1024,
    maxCommands: 100,
  });
});
afterAll(async () => {
  await own?.close();
  await external?.close();
  direct?.disconnect();
  await redis?.stop();
});

async function timed<T>(work: Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work;
  return { ms: performance.now() - start, value };
}

describe("the issue's payloads, on dev's own redis-server", () => {
  it("refuses SRANDMEMBER with a huge negative count (read-only token), and PING answers meanwhile", async () => {
    expect((await rawCommand(own.url, TOKEN, ["SADD", "s", "a"])).body).toEqual({ result: 1 });
    // On a loaded machine every request is slower: the bound is 1 s, or ten
    // PINGs' time when one PING alone (the median of five) takes longer than a
    // tenth of that.
    const alone: number[] = [];
    for (let i = 0; i < 5; i++) alone.push((await timed(rawCommand(own.url, TOKEN, ["PING"]))).ms);
    const bound = Math.max(1_000, 10 * alone.sort((a, b) => a - b)[2]);
    // Other tests share the two cores: the best of three tries is what counts.
    for (const count of ["-60000000", "-20000000"]) {
      const pings: number[] = [];
      for (let attempt = 0; attempt < 3 && !pings.some((ms) => ms < bound); attempt++) {
        const big = rawCommand(own.url, READONLY, ["SRANDMEMBER", "s", count]);
        await new Promise((r) => setTimeout(r, 50));
        const ping = await timed(rawCommand(own.url, TOKEN, ["PING"]));
        const refused = await big;
        expect(refused.status, count).toBe(400);
        expect(refused.body.error, count).toMatch(TOO_LARGE);
        expect(ping.value.body).toEqual({ result: "PONG" });
        pings.push(ping.ms);
      }
      expect(Math.min(...pings), `PING while SRANDMEMBER s ${count} was refused`).toBeLessThan(bound);
    }
    // Redis dropped the reply, not the data; both tokens are served.
    expect((await rawCommand(own.url, READONLY, ["SMEMBERS", "s"])).body).toEqual({ result: ["a"] });
    expect(await direct.info("memory")).toMatch(/used_memory:\d+/);
    expect(Number(/used_memory:(\d+)/.exec(await direct.info("memory"))![1])).toBeLessThan(100 * 1024 * 1024);
  });

  it("refuses a 10 MB pipeline of 1,000,000 PINGs, and a transaction as big, before running any", async () => {
    const pings = JSON.stringify(Array.from({ length: 1_000_000 }, () => ["PING"]));
    expect(pings.length).toBeLessThan(10 * 1024 * 1024);
    for (const route of ["/pipeline", "/multi-exec"]) {
      const before = Number(/total_commands_processed:(\d+)/.exec(await direct.info("stats"))![1]);
      const r = await rawRequest(own.url, route, { token: TOKEN, body: pings });
      expect(r.status, route).toBe(400);
      expect(r.body, route).toEqual({
        error:
          "ERR too many commands in one request: 1000000, at most 10000 (the limit of dev --max-commands); send them in smaller batches",
      });
      const after = Number(/total_commands_processed:(\d+)/.exec(await direct.info("stats"))![1]);
      // Only this test's INFO ran meanwhile.
      expect(after - before, route).toBeLessThanOrEqual(2);
    }
  });

  it("serves a reply just under the limit", async () => {
    await direct.set("nine-mb", Buffer.alloc(9 * 1024 * 1024, 120));
    const r = await rawCommand(own.url, READONLY, ["STRLEN", "nine-mb"]);
    expect(r.body).toEqual({ result: 9 * 1024 * 1024 });
    const got = await rawCommand(own.url, READONLY, ["GET", "nine-mb"]);
    expect(got.status).toBe(200);
    expect(got.body.result).toHaveLength(9 * 1024 * 1024);
    await direct.del("nine-mb");
  });
});

describe("the endpoint's own count, with a Redis that sets no limit (--redis URL)", () => {
  it("refuses a reply past the limit, alone or summed over a pipeline, and keeps serving", async () => {
    await direct.set("big", Buffer.alloc(2 * 1024 * 1024, 97));
    await direct.set("part", Buffer.alloc(400 * 1024, 98));
    const alone = await rawCommand(external.url, READONLY, ["GET", "big"]);
    expect(alone).toMatchObject({ status: 400, body: { error: expect.stringMatching(/more than 1 MB/) } });
    const summed = await rawRequest(external.url, "/pipeline", {
      token: TOKEN,
      body: [
        ["GET", "part"],
        ["GET", "part"],
        ["GET", "part"],
      ],
    });
    expect(summed).toMatchObject({ status: 400, body: { error: expect.stringMatching(/more than 1 MB/) } });
    const tx = await rawRequest(external.url, "/multi-exec", {
      token: TOKEN,
      body: [["GET", "big"], ["PING"]],
    });
    expect(tx).toMatchObject({ status: 400, body: { error: expect.stringMatching(/more than 1 MB/) } });
    // Under the limit: served, on the same pool.
    const two = await rawRequest(external.url, "/pipeline", {
      token: TOKEN,
      body: [
        ["GET", "part"],
        ["GET", "part"],
      ],
    });
    expect(two.status).toBe(200);
    expect(two.body).toHaveLength(2);
    expect((await rawCommand(external.url, TOKEN, ["PING"])).body).toEqual({ result: "PONG" });
    await direct.del("big", "part");
  });

  it("serves other clients while a large reply is refused", async () => {
    await direct.set("big2", Buffer.alloc(3 * 1024 * 1024, 97));
    const results = await Promise.all([
      rawCommand(external.url, READONLY, ["GET", "big2"]),
      ...Array.from({ length: 10 }, (_, i) => rawCommand(external.url, TOKEN, ["ECHO", `e${i}`])),
    ]);
    expect(results[0].status).toBe(400);
    expect(results.slice(1).map((r) => r.body.result)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    await direct.del("big2");
  });

  it("takes its command limit from the option", async () => {
    const body = Array.from({ length: 101 }, () => ["PING"]);
    const r = await rawRequest(external.url, "/pipeline", { token: TOKEN, body });
    expect(r.body.error).toMatch(/^ERR too many commands in one request: 101, at most 100 /);
    const ok = await rawRequest(external.url, "/pipeline", { token: TOKEN, body: body.slice(1) });
    expect(ok.body).toHaveLength(100);
  });
});
