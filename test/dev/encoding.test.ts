// Response encoding: base64 with `Upstash-Encoding: base64` (byte-exact at any
// depth, top-level OK and integers untouched), UTF-8 text without it, and
// values that are large or not ASCII.
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawCommand, rawRequest, stack, uniqueId } from "../harness/stack.js";

const { restUrl, restToken, redisUrl } = stack();
const B64 = { "Upstash-Encoding": "base64" };
const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
let direct: IORedis;

beforeAll(() => {
  direct = new IORedis(redisUrl);
});
afterAll(() => {
  direct.disconnect();
});

describe("base64 responses", () => {
  it("are byte-exact for bytes that are not valid UTF-8", async () => {
    const k = uniqueId("bytes");
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28, 0x80, 0x41, 0xe2, 0x82]);
    await direct.set(k, bytes);
    const res = await rawCommand(restUrl, restToken, ["GET", k], B64);
    expect(res.status).toBe(200);
    expect(Buffer.from(res.body.result, "base64").equals(bytes)).toBe(true);
  });

  it("keep the top-level OK and integers, encode every nested string", async () => {
    const k = uniqueId("b64");
    expect((await rawCommand(restUrl, restToken, ["SET", k, "OK"], B64)).body).toEqual({ result: "OK" });
    expect((await rawCommand(restUrl, restToken, ["RPUSH", `${k}:l`, "OK", "é"], B64)).body).toEqual({ result: 2 });
    expect((await rawCommand(restUrl, restToken, ["LRANGE", `${k}:l`, 0, -1], B64)).body).toEqual({
      result: [b64("OK"), b64("é")],
    });
    expect((await rawCommand(restUrl, restToken, ["TYPE", k], B64)).body).toEqual({ result: b64("string") });
    expect((await rawCommand(restUrl, restToken, ["GET", `${k}:missing`], B64)).body).toEqual({ result: null });
    const nested = await rawCommand(
      restUrl,
      restToken,
      ["EVAL", "return {1, 'a', {2, 'b'}, redis.status_reply('OK')}", 0],
      B64,
    );
    expect(nested.body).toEqual({ result: [1, b64("a"), [2, b64("b")], b64("OK")] });
  });

  it("never encode errors, in single commands and pipelines", async () => {
    const k = uniqueId("b64-err");
    await direct.set(k, "v");
    const single = await rawCommand(restUrl, restToken, ["LPUSH", k, "x"], B64);
    expect(single.status).toBe(400);
    expect(single.body).toEqual({ error: "WRONGTYPE Operation against a key holding the wrong kind of value" });
    const pipe = await rawRequest(restUrl, "/pipeline", {
      token: restToken,
      headers: B64,
      body: [
        ["SET", k, "w"],
        ["LPUSH", k, "x"],
        ["GET", k],
      ],
    });
    expect(pipe.body).toEqual([
      { result: "OK" },
      { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
      { result: b64("w") },
    ]);
  });
});

describe("plain responses", () => {
  it("are UTF-8 text, with numbers as numbers and the null result present", async () => {
    const k = uniqueId("plain");
    await direct.set(k, "héllo");
    expect((await rawCommand(restUrl, restToken, ["GET", k])).body).toEqual({ result: "héllo" });
    expect((await rawCommand(restUrl, restToken, ["STRLEN", k])).body).toEqual({ result: 6 });
    const missing = await rawCommand(restUrl, restToken, ["GET", `${k}:missing`]);
    expect(missing.status).toBe(200);
    expect(missing.body).toEqual({ result: null });
  });

  it("accept numbers and booleans as arguments and any case of command name", async () => {
    const k = uniqueId("args");
    expect((await rawCommand(restUrl, restToken, ["set", k, 12.5])).body).toEqual({ result: "OK" });
    expect((await rawCommand(restUrl, restToken, ["gEt", k])).body).toEqual({ result: "12.5" });
    await rawCommand(restUrl, restToken, ["Rpush", `${k}:l`, true, false, 0]);
    expect(await direct.lrange(`${k}:l`, 0, -1)).toEqual(["true", "false", "0"]);
    const hash = await rawCommand(restUrl, restToken, ["HSET", `${k}:h`, "a", 1]);
    expect(hash.body).toEqual({ result: 1 });
    expect((await rawCommand(restUrl, restToken, ["hgetall", `${k}:h`])).body).toEqual({ result: ["a", "1"] });
  });
});

describe("unicode and large values through the client", () => {
  const redis = new Redis({ url: restUrl, token: restToken });

  it("round-trips emoji, CJK and combining characters exactly", async () => {
    const k = uniqueId("unicode");
    const text = "こんにちは 世界 👋🏽 👨‍👩‍👧 café e\u0301 한국어 中文 🇵🇹";
    await redis.set(k, text);
    expect(await redis.get(k)).toBe(text);
    expect(await direct.get(k)).toBe(text);
    await redis.rpush(`${k}:l`, JSON.stringify({ type: "human", data: { content: text } }));
    expect(await redis.lrange(`${k}:l`, 0, -1)).toEqual([{ type: "human", data: { content: text } }]);
  });

  it("round-trips a 5 MB value", async () => {
    const k = uniqueId("big");
    const chunk = "0123456789abcdef✓🚀";
    const value = chunk.repeat(Math.ceil((5 * 1024 * 1024) / Buffer.byteLength(chunk)));
    expect(Buffer.byteLength(value)).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    await redis.set(k, value);
    expect(await direct.strlen(k)).toBe(Buffer.byteLength(value));
    expect(await redis.get(k)).toBe(value);
    expect(await redis.getrange(k, 0, 15)).toBe("0123456789abcdef");
  });
});
