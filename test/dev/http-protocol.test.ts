// The HTTP surface: path-style commands, request errors and their status codes,
// refused commands, and an endpoint that keeps answering after all of them.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { startEndpoint } from "../../src/dev/server.js";
import { rawCommand, rawRequest, stack, uniqueId } from "../harness/stack.js";

const { restUrl, restToken, redisUrl } = stack();

describe("path-style commands", () => {
  it("GET /set/k/v and GET /get/k, with URL-decoded segments", async () => {
    const k = uniqueId("path");
    const value = "hello world/ünïcode ✓";
    const set = await rawRequest(restUrl, `/set/${k}/${encodeURIComponent(value)}`, { token: restToken });
    expect(set.body).toEqual({ result: "OK" });
    expect((await rawRequest(restUrl, `/get/${k}`, { token: restToken })).body).toEqual({ result: value });
    expect((await rawRequest(restUrl, `/GET/${k}/`, { token: restToken })).body).toEqual({ result: value });
  });

  it("appends a POST body as the last argument and query parameters after it", async () => {
    const k = uniqueId("path-post");
    const body = '{"type":"human","data":{"content":"a body with / and ?"}}';
    const res = await rawRequest(restUrl, `/set/${k}?EX=100`, { token: restToken, body });
    expect(res.body).toEqual({ result: "OK" });
    expect((await rawCommand(restUrl, restToken, ["GET", k])).body).toEqual({ result: body });
    const ttl = (await rawCommand(restUrl, restToken, ["TTL", k])).body.result;
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    const pushed = await rawRequest(restUrl, `/lpush/${k}:l`, { token: restToken, body: "element" });
    expect(pushed.body).toEqual({ result: 1 });
    expect((await rawRequest(restUrl, `/lrange/${k}:l/0/-1`, { token: restToken })).body).toEqual({
      result: ["element"],
    });
  });

  it("runs nothing for HEAD: 405, like every method but GET and POST", async () => {
    const k = uniqueId("head");
    const res = await fetch(`${restUrl}/set/${k}/v`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${restToken}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST");
    expect(res.headers.get("upstash-sync-token")).toBeTruthy();
    expect(await res.text()).toBe("");
    expect((await rawCommand(restUrl, restToken, ["EXISTS", k])).body).toEqual({ result: 0 });
  });
});

describe("request errors", () => {
  it("400 for malformed JSON, a body that is not an array, bad arguments and no command", async () => {
    const cases: Array<[string, unknown]> = [
      ['["SET","k"', /malformed JSON/],
      ['{"cmd":"GET"}', /JSON array/],
      ['"GET"', /JSON array/],
      ["[]", /empty/],
      ['["SET","k",{"a":1}]', /argument 3 is an object/],
      ['["SET","k",null]', /argument 3 is null/],
      ["", /empty request body/],
    ];
    for (const [body, message] of cases) {
      const res = await rawRequest(restUrl, "/", { token: restToken, body, method: "POST" });
      expect(res.status, body).toBe(400);
      expect(res.body.error, body).toMatch(message as RegExp);
    }
    const noCommand = await rawRequest(restUrl, "/", { token: restToken });
    expect(noCommand.status).toBe(400);
  });

  it("400 with Redis' own message for a failing command", async () => {
    const k = uniqueId("wrongtype");
    await rawCommand(restUrl, restToken, ["SET", k, "v"]);
    const res = await rawCommand(restUrl, restToken, ["LPUSH", k, "x"]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "WRONGTYPE Operation against a key holding the wrong kind of value" });
    const unknown = await rawCommand(restUrl, restToken, ["NOSUCHCOMMAND"]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/^ERR unknown command/);
  });

  it("404 for a route that is not a Redis command", async () => {
    for (const path of ["/nosuchcommand/k", "/favicon.ico", "/pipeline/extra", "//get/k"]) {
      const res = await rawRequest(restUrl, path, { token: restToken });
      expect(res.status, path).toBe(404);
      expect(typeof res.body.error).toBe("string");
    }
  });

  it("405 for methods other than GET and POST, and nothing runs", async () => {
    const k = uniqueId("methods");
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const res = await rawRequest(restUrl, `/set/${k}/${method}`, {
        token: restToken,
        method,
        body: ["SET", k, method],
      });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow"), method).toBe("GET, POST");
      expect(res.body.error, method).toMatch(/not allowed/);
    }
    expect((await rawCommand(restUrl, restToken, ["EXISTS", k])).body).toEqual({ result: 0 });
  });

  it("413 for a body over 10 MB, declared or streamed", async () => {
    const big = new Uint8Array(11 * 1024 * 1024).fill(0x61);
    const declared = await rawRequest(restUrl, `/set/${uniqueId("big")}`, { token: restToken, body: big });
    expect(declared.status).toBe(413);
    expect(declared.body).toEqual({ error: "ERR max request size exceeded" });

    // No Content-Length: the endpoint has to count while reading.
    const chunks = 11;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (this.sent === chunks) controller.close();
        else {
          controller.enqueue(new Uint8Array(1024 * 1024).fill(0x62));
          this.sent = (this.sent ?? 0) + 1;
        }
      },
    } as UnderlyingDefaultSource<Uint8Array> & { sent?: number });
    const res = await fetch(`${restUrl}/set/${uniqueId("streamed")}`, {
      method: "POST",
      headers: { authorization: `Bearer ${restToken}` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "ERR max request size exceeded" });
  });
});

describe("transport", () => {
  it("answers a malformed HTTP request with 400 JSON and closes the connection", async () => {
    const { port } = new URL(restUrl);
    const response = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: Number(port) });
      let text = "";
      socket.setTimeout(5_000, () => socket.destroy(new Error("no answer")));
      socket.on("connect", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      socket.on("data", (d) => (text += d));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toMatch(/upstash-sync-token: \S+/);
    expect(response).toMatch(/\{"error":"ERR malformed HTTP request"\}$/);
  });

  it("adds the configured latency to every request", async () => {
    const token = uniqueId("latency-token");
    const slow = await startEndpoint({ redisUrl, token, latencyMs: 150 });
    try {
      const started = performance.now();
      expect((await rawCommand(slow.url, token, ["PING"])).body).toEqual({ result: "PONG" });
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      expect(slow.stats.requests).toBe(1);
    } finally {
      await slow.close();
    }
  });
});

describe("refused commands", () => {
  it("400 with a clear reason for blocking and connection-state commands", async () => {
    const cases: unknown[][] = [
      ["BLPOP", "q", 0],
      ["brpop", "q", 1],
      ["BZPOPMIN", "z", 0],
      ["SUBSCRIBE", "news"],
      ["PSUBSCRIBE", "n*"],
      ["MONITOR"],
      ["SELECT", 1],
      ["WATCH", "k"],
      ["MULTI"],
      ["EXEC"],
      ["AUTH", "x"],
      ["CLIENT", "SETNAME", "x"],
      ["QUIT"],
      ["SHUTDOWN"],
      ["WAIT", 0, 0],
      ["XREAD", "BLOCK", 0, "STREAMS", "s", "$"],
    ];
    for (const cmd of cases) {
      const res = await rawCommand(restUrl, restToken, cmd);
      expect(res.status, String(cmd[0])).toBe(400);
      expect(res.body.error.toLowerCase(), String(cmd[0])).toContain(String(cmd[0]).toLowerCase());
      expect(res.body.error).toMatch(/not (supported|allowed) over REST/);
    }
    const path = await rawRequest(restUrl, "/blpop/q/0", { token: restToken });
    expect(path.status).toBe(400);
    const xread = await rawCommand(restUrl, restToken, ["XREAD", "COUNT", 1, "STREAMS", uniqueId("stream"), "0"]);
    expect(xread.body).toEqual({ result: null });
  });

  it("still answers after all of the above", async () => {
    const res = await rawCommand(restUrl, restToken, ["PING"]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: "PONG" });
  });
});
