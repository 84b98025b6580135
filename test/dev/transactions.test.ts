// /multi-exec: atomic, each transaction on a connection of its own, runtime
// errors as items, queue-time errors discarding the whole transaction (400).
import { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { rawRequest, stack, uniqueId } from "../harness/stack.js";

const { restUrl, restToken } = stack();
const redis = new Redis({ url: restUrl, token: restToken });

describe("multi-exec", () => {
  it("runs the commands as one transaction with the client's multi()", async () => {
    const k = uniqueId("tx");
    const tx = redis.multi();
    tx.set(k, "v");
    tx.rpush(`${k}:l`, "a", "b");
    tx.lrange(`${k}:l`, 0, -1);
    tx.incr(`${k}:n`);
    expect(await tx.exec()).toEqual(["OK", 2, ["a", "b"], 1]);
  });

  it("reports a runtime error as an item and still applies the rest", async () => {
    const k = uniqueId("tx-runtime");
    const res = await rawRequest(restUrl, "/multi-exec", {
      token: restToken,
      body: [
        ["SET", k, "1"],
        ["LPUSH", k, "x"],
        ["INCR", k],
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { result: "OK" },
      { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
      { result: 2 },
    ]);
  });

  it("discards the whole transaction on a queue-time error with 400", async () => {
    const k = uniqueId("tx-abort");
    for (const bad of [["NOSUCHCOMMAND", k], ["GET"]]) {
      const res = await rawRequest(restUrl, "/multi-exec", {
        token: restToken,
        body: [["SET", k, "applied?"], bad, ["INCR", `${k}:n`]],
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^EXECABORT/);
      expect(Object.keys(res.body)).toEqual(["error"]);
    }
    expect(await redis.get(k)).toBeNull();
    expect(await redis.get(`${k}:n`)).toBeNull();
  });

  it("discards the transaction when a command is refused (blocking)", async () => {
    const k = uniqueId("tx-refused");
    const res = await rawRequest(restUrl, "/multi-exec", {
      token: restToken,
      body: [
        ["SET", k, "v"],
        ["BLPOP", k, "0"],
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/blpop/i);
    expect(await redis.get(k)).toBeNull();
  });

  it("never nests concurrent transactions", async () => {
    const k = uniqueId("tx-concurrent");
    // Each transaction increments twice and reads in between. If two ever ran
    // inside one MULTI, or interleaved, a GET would not be its own INCR's value
    // and the second INCR would not follow it by exactly one.
    const runs = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await rawRequest(restUrl, "/multi-exec", {
          token: restToken,
          body: [
            ["INCR", k],
            ["GET", k],
            ["INCR", k],
          ],
        });
        expect(res.status).toBe(200);
        return res.body.map((item: { result: unknown }) => item.result) as [number, string, number];
      }),
    );
    for (const [first, read, second] of runs) {
      expect(Number(read)).toBe(first);
      expect(second).toBe(first + 1);
    }
    const firsts = runs.map(([first]) => first).sort((a, b) => a - b);
    expect(firsts).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1));
    expect(await redis.get(k)).toBe(40);
  });

  it("refuses an empty transaction and GET /multi-exec", async () => {
    const empty = await rawRequest(restUrl, "/multi-exec", { token: restToken, body: [] });
    expect(empty.status).toBe(400);
    const get = await rawRequest(restUrl, "/multi-exec", { token: restToken });
    expect(get.status).toBe(404);
  });
});

describe("pipeline", () => {
  it("runs every command independently, in order", async () => {
    const k = uniqueId("pipe-raw");
    const res = await rawRequest(restUrl, "/pipeline", {
      token: restToken,
      body: [
        ["SET", k, 1],
        ["LPUSH", k, "x"],
        ["INCRBY", k, 2],
        ["SUBSCRIBE", "news"],
        ["GET", k],
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(5);
    expect(res.body[0]).toEqual({ result: "OK" });
    expect(res.body[1].error).toMatch(/^WRONGTYPE/);
    expect(res.body[2]).toEqual({ result: 3 });
    expect(res.body[3].error).toMatch(/subscribe/i);
    expect(res.body[4]).toEqual({ result: "3" });
  });

  it("refuses GET /pipeline with 404 and a malformed command with 400", async () => {
    expect((await rawRequest(restUrl, "/pipeline", { token: restToken })).status).toBe(404);
    const bad = await rawRequest(restUrl, "/pipeline", { token: restToken, body: [["GET", "k"], "GET"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/command 2/);
  });
});
