// A web page cannot write through the endpoint: not with a "simple" request
// that needs no CORS preflight (it carries an Origin header, refused unless
// --allow-origin names it), and not through DNS rebinding (its own host name in
// the Host header, refused). Nothing runs for a refused request.
import http from "node:http";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServerHandle } from "../../src/dev/redis-process.js";
import { startEndpoint, type Endpoint } from "../../src/dev/server.js";

const TOKEN = "web-pages-token-0123456789";

let redis: RedisServerHandle;
let endpoint: Endpoint;
let direct: IORedis;

beforeAll(async () => {
  redis = await startRedisServer();
  endpoint = await startEndpoint({ redisUrl: redis.url, token: TOKEN, allowOrigins: ["http://localhost:3000"] });
  direct = new IORedis(redis.url);
});
afterAll(async () => {
  direct?.disconnect();
  await endpoint?.close();
  await redis?.stop();
});

/** A POST with exactly these headers (node:http lets a test set Host, as a browser would). */
function post(headers: Record<string, string>, body: string): Promise<{ status: number; body: unknown }> {
  const { port } = new URL(endpoint.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: Number(port), path: `/?_token=${TOKEN}`, method: "POST", headers, setHost: false },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("requests a web page could send", () => {
  it("refuses the issue's cross-site write: foreign Host and Origin, text/plain", async () => {
    const r = await post(
      { Host: "evil.example", Origin: "http://evil.example", "Content-Type": "text/plain" },
      '["SET","csrf","1"]',
    );
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: expect.stringMatching(/^ERR Host 'evil\.example' is not an address/) });
    expect(await direct.exists("csrf")).toBe(0);
  });

  it("refuses a rebound host name, whatever the port", async () => {
    for (const host of ["evil.example", "evil.example:8079", "localhost.evil.example", "127.0.0.1.nip.io"]) {
      const r = await post({ Host: host }, '["SET","rebound","1"]');
      expect(r.status, host).toBe(403);
    }
    expect(await direct.exists("rebound")).toBe(0);
  });

  it("serves the addresses it listens on, with or without a port", async () => {
    for (const host of ["127.0.0.1", "127.0.0.1:1234", "localhost", "LOCALHOST:8079", "[::1]:8079", "[::1]"]) {
      const r = await post({ Host: host }, '["PING"]');
      expect(r, host).toEqual({ status: 200, body: { result: "PONG" } });
    }
  });

  it("refuses any Origin but the allowed ones", async () => {
    for (const origin of ["http://evil.example", "http://localhost:3001", "https://localhost:3000", "null"]) {
      const r = await post({ Host: "127.0.0.1", Origin: origin, "Content-Type": "text/plain" }, '["SET","o","1"]');
      expect(r.status, origin).toBe(403);
      expect(r.body).toEqual({ error: expect.stringContaining(`--allow-origin ${origin}`) });
    }
    expect(await direct.exists("o")).toBe(0);
    const allowed = await post({ Host: "localhost:8079", Origin: "http://localhost:3000" }, '["SET","o","1"]');
    expect(allowed).toEqual({ status: 200, body: { result: "OK" } });
  });
});
