// The REST transport's own HTTP client (node:http / node:https): TLS
// verification (a self-signed certificate is refused unless its CA is trusted),
// one keep-alive connection for a whole scan, compressed replies decoded byte
// for byte, a reply cut mid-body retried. The fault-proxy suite
// (test/e2e/faults.test.ts) covers statuses, resets, lost responses and timeouts.
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import zlib from "node:zlib";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestStore } from "../../src/store/rest.js";
import { ConnectionError } from "../../src/errors/errors.js";
import { stack, uniqueId } from "../harness/stack.js";
import { ROOT, runCli } from "../harness/cli.js";
import { appRedis, writeConversation } from "../harness/transports.js";
import { storedMessages } from "../harness/fixtures.js";

const TLS_DIR = path.join(ROOT, "test/fixtures/tls");
const tlsOptions = () => ({
  key: fs.readFileSync(path.join(TLS_DIR, "key.pem")),
  cert: fs.readFileSync(path.join(TLS_DIR, "cert.pem")),
});

interface Front {
  url: string;
  connections: number;
  requests: number;
  close(): Promise<void>;
}

/** A reverse proxy (http or https) in front of the shared endpoint that counts connections and requests. */
async function front(
  secure: boolean,
  handle?: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => boolean,
): Promise<Front> {
  const upstream = new URL(stack().restUrl);
  const state = { connections: 0, requests: 0 };
  const onRequest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    state.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (handle?.(req, res, body)) return;
    const headers = { ...req.headers, host: upstream.host };
    delete headers["accept-encoding"];
    const up = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    up.end(body);
  };
  const server = secure ? https.createServer(tlsOptions(), onRequest) : http.createServer(onRequest);
  const sockets = new Set<import("node:net").Socket>();
  server.on(secure ? "secureConnection" : "connection", (s) => {
    state.connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${secure ? "https" : "http"}://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const app = appRedis();
afterAll(() => app.quit());

describe("TLS", () => {
  let tlsFront: Front;
  let id: string;
  beforeAll(async () => {
    tlsFront = await front(true);
    id = uniqueId("tls");
    await writeConversation(
      app,
      id,
      storedMessages()
        .slice(0, 3)
        .map((f) => f.element),
    );
  });
  afterAll(() => tlsFront.close());

  it("refuses a certificate it cannot verify: exit 4, TLS named, nothing sent", async () => {
    const before = tlsFront.requests;
    const r = await runCli(["history", "show", id, "--json"], {
      env: { UPSTASH_REDIS_REST_URL: tlsFront.url, UPSTASH_REDIS_REST_TOKEN: stack().restToken },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 4,
      stderr: expect.stringMatching(/^upstash-memory: TLS handshake failed \([A-Z_]+\)/),
    });
    expect(tlsFront.requests).toBe(before);
  });

  it("talks https:// to a server whose CA is trusted (NODE_EXTRA_CA_CERTS)", async () => {
    const r = await runCli(["history", "show", id, "--json"], {
      env: {
        UPSTASH_REDIS_REST_URL: tlsFront.url,
        UPSTASH_REDIS_REST_TOKEN: stack().restToken,
        NODE_EXTRA_CA_CERTS: path.join(TLS_DIR, "cert.pem"),
      },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(r.stdout).count).toBe(3);
  });
});

describe("keep-alive", () => {
  it("a scan of many pages uses one connection", async () => {
    const f = await front(false);
    const prefix = `${uniqueId("ka")}:`;
    const pipe = app.pipeline();
    for (let i = 0; i < 2500; i++) pipe.rpush(`${prefix}s${i}`, storedMessages()[0].element);
    await pipe.exec();
    try {
      const r = await runCli(["sessions", "list", "--prefix", prefix, "--ndjson", "--stats"], {
        env: { UPSTASH_REDIS_REST_URL: f.url, UPSTASH_REDIS_REST_TOKEN: stack().restToken },
      });
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split("\n")).toHaveLength(2500);
      expect(f.requests).toBeGreaterThanOrEqual(3);
      expect(f.connections).toBe(1);
    } finally {
      await f.close();
    }
  });
});

describe("response bodies", () => {
  // Replies as the wire carries them: base64 of bytes that are not valid UTF-8.
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28]);
  const reply = JSON.stringify([{ result: [bytes.toString("base64"), "T0s="] }]);

  it.each(["gzip", "br", "deflate"])("a %s-encoded reply is decoded byte for byte", async (encoding) => {
    const encode = { gzip: zlib.gzipSync, br: zlib.brotliCompressSync, deflate: zlib.deflateSync }[encoding]!;
    const f = await front(false, (req, res) => {
      expect(req.headers["accept-encoding"]).toContain(encoding);
      res
        .writeHead(200, { "content-type": "application/json", "content-encoding": encoding })
        .end(encode(Buffer.from(reply)));
      return true;
    });
    const store = new RestStore({ url: f.url, token: "t0ken-for-tests", timeoutMs: 5000 });
    try {
      const [o] = await store.pipeline([["LRANGE", "k", 0, -1]], { idempotent: true });
      expect(o).toEqual({ ok: true, value: [bytes, Buffer.from("OK")] });
    } finally {
      await store.close();
      await f.close();
    }
  });

  it("a reply cut mid-body is retried when safe, and reported when not", async () => {
    let n = 0;
    const f = await front(false, (_req, res) => {
      n++;
      // Promise more than is sent, then hang up.
      res.writeHead(200, { "content-type": "application/json", "content-length": String(reply.length + 100) });
      res.write(reply.slice(0, 10));
      setTimeout(() => res.socket?.destroy(), 20);
      return true;
    });
    const store = new RestStore({ url: f.url, token: "t0ken-for-tests", timeoutMs: 5000, attempts: 2 });
    try {
      const read = store.pipeline([["LRANGE", "k", 0, -1]], { idempotent: true });
      await expect(read).rejects.toThrow(/connection lost while reading the response/);
      expect(n).toBe(2);
      n = 0;
      const write = store.pipeline([["LPUSH", "k", "v"]], { idempotent: false });
      await expect(write).rejects.toBeInstanceOf(ConnectionError);
      await expect(write).rejects.toMatchObject({ hint: expect.stringContaining("may or may not have been applied") });
      expect(n).toBe(1);
    } finally {
      await store.close();
      await f.close();
    }
  });
});
