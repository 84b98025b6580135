// The sample data: every session stored exactly as its writer stores it, and
// never a key that exists overwritten.
import {
  mapChatMessagesToStoredMessages,
  mapStoredMessagesToChatMessages,
  type StoredMessage,
} from "@langchain/core/messages";
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SAMPLE_CONFIG_KEY, SAMPLE_KEYS, SAMPLE_SESSIONS, seed } from "../../src/dev/seed.js";
import { startIsolatedStack, type IsolatedStack } from "../harness/stack.js";

let iso: IsolatedStack;
let direct: IORedis;

beforeAll(async () => {
  iso = await startIsolatedStack();
  direct = new IORedis(iso.redisUrl);
});
afterAll(async () => {
  direct?.disconnect();
  await iso?.close();
});
beforeEach(async () => {
  // This test's own redis-server: it may be emptied.
  await direct.flushall();
});

describe("seed", () => {
  it("writes every sample session and the config key, and nothing else", async () => {
    const result = await seed(iso.redisUrl);
    expect(result.skipped).toEqual([]);
    expect(result.keys).toEqual([...SAMPLE_KEYS]);
    expect(result.sessions).toBe(SAMPLE_SESSIONS.length);
    expect(result.messages).toBe(SAMPLE_SESSIONS.reduce((n, s) => n + s.messages.length, 0));
    expect((await direct.keys("*")).sort()).toEqual([...SAMPLE_KEYS].sort());
    expect(await direct.type(SAMPLE_CONFIG_KEY)).toBe("string");
    for (const s of SAMPLE_SESSIONS) {
      expect(await direct.llen(s.key), s.id).toBe(s.messages.length);
      const ttl = await direct.ttl(s.key);
      if (s.ttlSeconds) expect(ttl, s.id).toBeGreaterThan(s.ttlSeconds - 10);
      else expect(ttl, s.id).toBe(-1);
    }
    expect(SAMPLE_SESSIONS.length).toBeGreaterThanOrEqual(5);
    expect(SAMPLE_SESSIONS.some((s) => s.ttlSeconds)).toBe(true);
    expect(SAMPLE_SESSIONS.some((s) => s.writer === "flowise")).toBe(true);
  });

  it("stores JS sessions exactly as LangChain JS serialises them, newest first", async () => {
    await seed(iso.redisUrl);
    for (const s of SAMPLE_SESSIONS.filter((x) => x.writer !== "langchain-python")) {
      const raw = await direct.lrange(s.key, 0, -1);
      const oldestFirst = raw.slice().reverse();
      const reparsed = mapStoredMessagesToChatMessages(oldestFirst.map((e) => JSON.parse(e) as StoredMessage));
      expect(
        reparsed.map((m) => m.content),
        s.id,
      ).toEqual(s.messages.map((m) => m.content));
      // LangChain writing the same messages again produces the same bytes.
      expect(
        mapChatMessagesToStoredMessages(reparsed).map((m) => JSON.stringify(m)),
        s.id,
      ).toEqual(oldestFirst);
    }
  });

  it("stores the Python session under message_store: in json.dumps style", async () => {
    await seed(iso.redisUrl);
    const py = SAMPLE_SESSIONS.find((s) => s.writer === "langchain-python")!;
    expect(py.key).toBe(`message_store:${py.id}`);
    const [newest, ...rest] = await direct.lrange(py.key, 0, -1);
    const oldest = rest.at(-1)!;
    expect(oldest).toMatch(
      /^\{"type": "human", "data": \{"content": "[^"]*", "additional_kwargs": \{\}, "response_metadata": \{\}, "type": "human", "name": null, "id": null, "example": false\}\}$/,
    );
    const ai = JSON.parse(newest);
    expect(ai.type).toBe("ai");
    expect(Object.keys(ai.data)).toEqual([
      "content",
      "additional_kwargs",
      "response_metadata",
      "type",
      "name",
      "id",
      "example",
      "tool_calls",
      "invalid_tool_calls",
      "usage_metadata",
    ]);
    // json.dumps escapes non-ASCII.
    const all = await direct.lrange(py.key, 0, -1);
    expect(all.some((e) => e.includes("caf\\u00e9"))).toBe(true);
    expect(all.every((e) => /^[\x20-\x7e]*$/.test(e))).toBe(true);
  });

  it("never touches a key that exists: skips it and reports it", async () => {
    const [first, second] = SAMPLE_SESSIONS;
    await direct.set(first.key, "the user's own value", "EX", 5000);
    await direct.rpush(second.key, "an element of the user's");
    const result = await seed(iso.redisUrl);
    expect(result.skipped).toEqual([first.key, second.key]);
    expect(result.keys).toEqual(SAMPLE_KEYS.filter((k) => k !== first.key && k !== second.key));
    expect(result.sessions).toBe(SAMPLE_SESSIONS.length - 2);
    expect(await direct.get(first.key)).toBe("the user's own value");
    expect(await direct.ttl(first.key)).toBeGreaterThan(4990);
    expect(await direct.lrange(second.key, 0, -1)).toEqual(["an element of the user's"]);
    expect(await direct.llen(SAMPLE_SESSIONS[2].key)).toBe(SAMPLE_SESSIONS[2].messages.length);
  });

  it("seeding again changes nothing, even where the samples were changed meanwhile", async () => {
    await seed(iso.redisUrl);
    await direct.rpush(SAMPLE_SESSIONS[0].key, "stray element");
    const before = await snapshot();
    const again = await seed(iso.redisUrl);
    expect(again).toMatchObject({ sessions: 0, messages: 0, keys: [], skipped: [...SAMPLE_KEYS] });
    await seed(direct);
    expect(await snapshot()).toEqual(before);
  });

  it("reads back through the endpoint with @upstash/redis", async () => {
    await seed(iso.redisUrl);
    const redis = new Redis({ url: iso.restUrl, token: iso.restToken });
    const s = SAMPLE_SESSIONS.find((x) => x.writer === "flowise")!;
    const list = await redis.lrange<{ type: string; data: { content: string } }>(s.key, 0, -1);
    expect(list.reverse().map((m) => m.data.content)).toEqual(s.messages.map((m) => m.content));
  });
});

async function snapshot(): Promise<Record<string, string[] | string | null>> {
  const out: Record<string, string[] | string | null> = {};
  for (const key of SAMPLE_KEYS) {
    out[key] = (await direct.type(key)) === "list" ? await direct.lrange(key, 0, -1) : await direct.get(key);
  }
  return out;
}
