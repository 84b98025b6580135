// Upstash's subscribe over REST, checked with @upstash/redis' own subscribe()
// and psubscribe(): a message published through the endpoint arrives on the
// Server-Sent Events stream, the read-only token may subscribe (PUBLISH stays
// a write), and the stream's Redis connection goes when the client does.
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_NAME } from "../../src/dev/connections.js";
import { startRedisServer, type RedisServerHandle } from "../../src/dev/redis-process.js";
import { startEndpoint, type Endpoint } from "../../src/dev/server.js";
import { rawCommand, rawRequest } from "../harness/stack.js";

const TOKEN = "subscribe-token-0123456789";
const READONLY = "subscribe-readonly-0123456789";

let redis: RedisServerHandle;
let endpoint: Endpoint;
let direct: IORedis;

beforeAll(async () => {
  redis = await startRedisServer();
  direct = new IORedis(redis.url);
  endpoint = await startEndpoint({ redisUrl: redis.url, token: TOKEN, readonlyToken: READONLY, ownRedis: true });
});
afterAll(async () => {
  await endpoint?.close();
  direct?.disconnect();
  await redis?.stop();
});

async function until(probe: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function subscriberConnections(): Promise<number> {
  const list = (await direct.call("CLIENT", "LIST")) as string;
  return list.split("\n").filter((l) => l.includes(`name=${CLIENT_NAME}`) && /\bsub=[1-9]|\bpsub=[1-9]/.test(l)).length;
}

describe("subscribe over REST", () => {
  it("delivers a published message to @upstash/redis' subscribe(), with the read-only token", async () => {
    const reader = new Redis({ url: endpoint.url, token: READONLY });
    const writer = new Redis({ url: endpoint.url, token: TOKEN });
    const sub = reader.subscribe<{ hello: string }>("chat");
    const counts: number[] = [];
    const messages: unknown[] = [];
    sub.on("subscribe", (n) => counts.push(n));
    sub.on("message", ({ channel, message }) => messages.push({ channel, message }));
    await until(async () => counts.length > 0 && (await subscriberConnections()) === 1, "the subscription");
    expect(counts).toEqual([1]);
    expect(await writer.publish("chat", { hello: "world" })).toBe(1);
    await until(() => messages.length > 0, "the message");
    expect(messages).toEqual([{ channel: "chat", message: { hello: "world" } }]);
    // PUBLISH stays a write.
    const refused = await rawCommand(endpoint.url, READONLY, ["PUBLISH", "chat", "x"]);
    expect(refused.status).toBe(400);
    await sub.unsubscribe();
    await until(async () => (await subscriberConnections()) === 0, "the stream's Redis connection to close");
  });

  it("delivers pattern messages to psubscribe()", async () => {
    const client = new Redis({ url: endpoint.url, token: TOKEN });
    const sub = client.psubscribe<string>("news.*");
    const got: unknown[] = [];
    sub.on("pmessage", (m) => got.push(m));
    await until(async () => (await subscriberConnections()) === 1, "the subscription");
    await direct.publish("news.tech", JSON.stringify("launch"));
    await until(() => got.length > 0, "the pattern message");
    expect(got).toEqual([{ pattern: "news.*", channel: "news.tech", message: "launch" }]);
    await sub.unsubscribe();
    await until(async () => (await subscriberConnections()) === 0, "the stream's Redis connection to close");
  });

  it("speaks the documented wire format, and refuses a subscribe without an event stream", async () => {
    const controller = new AbortController();
    const res = await fetch(`${endpoint.url}/subscribe/wire`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, accept: "text/event-stream" },
      body: "[]",
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.getReader();
    let text = "";
    const read = async (until: string) => {
      while (!text.includes(until)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read("\n\n");
    expect(text).toBe("data: subscribe,wire,1\n\n");
    await direct.publish("wire", "hello");
    await read("hello");
    expect(text).toBe("data: subscribe,wire,1\n\ndata: message,wire,hello\n\n");
    controller.abort();
    await until(async () => (await subscriberConnections()) === 0, "the stream's Redis connection to close");

    const plain = await rawRequest(endpoint.url, "/subscribe/wire", { token: TOKEN, body: "[]" });
    expect(plain.status).toBe(400);
    expect(plain.body.error).toMatch(/Accept: text\/event-stream/);
    const anonymous = await rawRequest(endpoint.url, "/subscribe/wire", {
      body: "[]",
      headers: { accept: "text/event-stream" },
    });
    expect(anonymous.status).toBe(401);
  });
});
