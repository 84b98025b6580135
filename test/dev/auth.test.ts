// Tokens: Bearer header or _token, the read-only token, and the sync token
// every response carries.
import { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { rawCommand, rawRequest, stack, uniqueId } from "../harness/stack.js";

const { restUrl, restToken, readonlyToken } = stack();

describe("authentication", () => {
  it("answers 401 without a token or with a wrong one", async () => {
    for (const token of [null, "wrong-token", `${restToken}x`, restToken.slice(0, -1)]) {
      const res = await rawCommand(restUrl, token, ["PING"]);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "Unauthorized" });
    }
    const basic = await rawRequest(restUrl, "/", { body: ["PING"], headers: { authorization: `Basic ${restToken}` } });
    expect(basic.status).toBe(401);
  });

  it("accepts the token as the _token query parameter", async () => {
    const res = await rawRequest(restUrl, `/ping?_token=${encodeURIComponent(restToken)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: "PONG" });
    const post = await rawRequest(restUrl, `/?_token=${encodeURIComponent(restToken)}`, { body: ["ECHO", "hi"] });
    expect(post.body).toEqual({ result: "hi" });
    expect((await rawRequest(restUrl, "/ping?_token=nope")).status).toBe(401);
  });

  it("makes the client throw on a wrong token", async () => {
    const wrong = new Redis({ url: restUrl, token: "not-the-token", retry: false });
    await expect(wrong.get("anything")).rejects.toThrow(/Unauthorized/);
  });
});

describe("read-only token", () => {
  const ro = new Redis({ url: restUrl, token: readonlyToken });
  const rw = new Redis({ url: restUrl, token: restToken });

  it("reads", async () => {
    const k = uniqueId("ro");
    await rw.rpush(k, "a", "b");
    await rw.set(`${k}:s`, "v");
    expect(await ro.get(`${k}:s`)).toBe("v");
    expect(await ro.lrange(k, 0, -1)).toEqual(["a", "b"]);
    expect(await ro.ttl(k)).toBe(-1);
    expect(await ro.type(k)).toBe("list");
    expect(await ro.evalRo("return redis.call('GET', KEYS[1])", [`${k}:s`], [])).toBe("v");
  });

  it("refuses writes, SCAN, KEYS and scripts with NOPERM and 400", async () => {
    const k = uniqueId("ro-refused");
    const refused: Array<[unknown[], string]> = [
      [["SET", k, "v"], "set"],
      [["LPUSH", k, "v"], "lpush"],
      [["DEL", k], "del"],
      [["EXPIRE", k, 10], "expire"],
      [["FLUSHALL"], "flushall"],
      [["SCAN", 0], "scan"],
      [["KEYS", "*"], "keys"],
      [["EVAL", "return 1", 0], "eval"],
      [["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", 0], "evalsha"],
      [["SCRIPT", "FLUSH"], "script|flush"],
      [["script", "load", "return 1"], "script|load"],
      [["FUNCTION", "FLUSH"], "function|flush"],
      [["PUBLISH", "news", "hi"], "publish"],
      [["XREADGROUP", "GROUP", "g", "c", "STREAMS", k, ">"], "xreadgroup"],
    ];
    for (const [cmd, name] of refused) {
      const res = await rawCommand(restUrl, readonlyToken, cmd);
      expect(res.status, String(cmd[0])).toBe(400);
      expect(res.body).toEqual({ error: `NOPERM this user has no permissions to run the '${name}' command` });
    }
    expect(await rw.exists(k)).toBe(0);
    await expect(ro.set(k, "v")).rejects.toThrow(/NOPERM/);
  });

  it("reads with EVAL_RO, EVALSHA_RO and the read commands that take no key", async () => {
    const k = uniqueId("ro-reads");
    await rw.set(k, "v");
    const script = "return redis.call('GET', KEYS[1])";
    const sha = await rw.scriptLoad(script);
    const reads: Array<[unknown[], unknown]> = [
      [["EVAL_RO", script, 1, k], "v"],
      [["evalsha_ro", sha, 1, k], "v"],
      [["PING"], "PONG"],
      [["ECHO", "x"], "x"],
      [["STRLEN", k], 1],
      [["EXISTS", k], 1],
    ];
    for (const [cmd, result] of reads) {
      const res = await rawCommand(restUrl, readonlyToken, cmd);
      expect(res.body, String(cmd[0])).toEqual({ result });
    }
    const dbsize = await rawCommand(restUrl, readonlyToken, ["DBSIZE"]);
    expect(typeof dbsize.body.result).toBe("number");
  });

  it("refuses writes inside pipelines (per item) and transactions (as a whole)", async () => {
    const k = uniqueId("ro-batch");
    await rw.set(k, "v");
    const pipe = await rawRequest(restUrl, "/pipeline", {
      token: readonlyToken,
      body: [
        ["GET", k],
        ["SET", k, "x"],
      ],
    });
    expect(pipe.status).toBe(200);
    expect(pipe.body).toEqual([
      { result: "v" },
      { error: "NOPERM this user has no permissions to run the 'set' command" },
    ]);
    const tx = await rawRequest(restUrl, "/multi-exec", {
      token: readonlyToken,
      body: [
        ["GET", k],
        ["DEL", k],
      ],
    });
    expect(tx.status).toBe(400);
    expect(tx.body.error).toMatch(/^NOPERM/);
    expect(await rw.get(k)).toBe("v");
  });
});

describe("sync token", () => {
  it("comes with every response and changes each time", async () => {
    const seen = new Set<string>();
    const responses = [
      await rawCommand(restUrl, restToken, ["PING"]),
      await rawCommand(restUrl, restToken, ["PING"]),
      await rawCommand(restUrl, null, ["PING"]),
      await rawRequest(restUrl, "/nosuchcommand", { token: restToken }),
      await rawRequest(restUrl, "/pipeline", { token: restToken, body: [["PING"]] }),
    ];
    for (const res of responses) {
      const token = res.headers.get("upstash-sync-token");
      expect(token).toBeTruthy();
      seen.add(token!);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    }
    expect(seen.size).toBe(responses.length);
  });
});
