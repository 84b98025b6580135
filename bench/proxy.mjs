// A tiny HTTP proxy in front of the local REST endpoint that (1) waits
// `latencyMs` once per request, to feel a remote database's round trip, and
// (2) counts HTTP requests, the Redis commands they carry, and the bytes of
// the bodies each way (what crosses the network, headers aside):
//   POST /pipeline, POST /multi-exec   a JSON array of commands: its length
//   POST /                             one command
//   any other path (/get/key ...)      one command
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** Redis commands carried by one Upstash REST request. */
export function countCommands(method, target, body) {
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  if (path === "/pipeline" || path === "/multi-exec") {
    try {
      const parsed = JSON.parse(body.toString("utf8"));
      return Array.isArray(parsed) ? parsed.length : 0;
    } catch {
      return 0;
    }
  }
  if (path === "/" || path === "") return method === "POST" || method === "PUT" ? 1 : 0;
  return 1;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

/**
 * @param {{ upstream: string, latencyMs?: number }} opts
 * @returns {Promise<{ url: string, stats: { requests: number, commands: number }, reset(): void, snapshot(): {requests:number, commands:number}, close(): Promise<void> }>}
 */
export async function startProxy({ upstream, latencyMs = 0 }) {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const stats = { requests: 0, commands: 0, bytesUp: 0, bytesDown: 0 };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("error", () => res.destroy());
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      stats.requests++;
      stats.bytesUp += body.length;
      stats.commands += countCommands(req.method ?? "GET", req.url ?? "/", body);
      if (latencyMs > 0) await sleep(latencyMs);
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
      headers.host = target.host;
      headers["content-length"] = String(body.length);
      const up = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        (ur) => {
          const out = {};
          for (const [k, v] of Object.entries(ur.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
          res.writeHead(ur.statusCode ?? 502, out);
          ur.on("data", (c) => (stats.bytesDown += c.length));
          ur.pipe(res);
        },
      );
      up.on("error", (err) => {
        if (res.headersSent) return res.destroy();
        const payload = JSON.stringify({ error: `bench proxy: upstream failed: ${err.message}` });
        res.writeHead(502, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
        res.end(payload);
      });
      up.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });

  let closing;
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    reset() {
      stats.requests = 0;
      stats.commands = 0;
      stats.bytesUp = 0;
      stats.bytesDown = 0;
    },
    snapshot() {
      return { ...stats };
    },
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return closing;
    },
  };
}
