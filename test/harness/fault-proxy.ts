// A fault-injecting HTTP proxy in front of the local endpoint (127.0.0.1 only).
// Each request takes the next fault from the plan; when the plan runs out,
// requests pass through untouched.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "pass" }
  | { kind: "status"; status: number; retryAfter?: number; body?: string }
  /** Close the connection before anything reaches Redis. */
  | { kind: "reset" }
  /** Let Redis execute the command, then drop the response. */
  | { kind: "drop-response" }
  /** Answer only after `ms`. */
  | { kind: "slow"; ms: number };

export interface FaultProxy {
  url: string;
  /** Faults for the next requests, in order. */
  plan(faults: Fault[]): void;
  /** Every fault from now on, until plan() is called again. */
  always(fault: Fault): void;
  requests: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let queue: Fault[] = [];
  let standing: Fault | undefined;
  const sockets = new Set<import("node:net").Socket>();
  const state = { requests: 0 };

  const forward = async (req: http.IncomingMessage, body: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
    return fetch(target + req.url, {
      method: req.method,
      headers,
      body: body.length ? (body as unknown as BodyInit) : undefined,
    });
  };

  const server = http.createServer(async (req, res) => {
    state.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const fault = queue.shift() ?? standing ?? { kind: "pass" };
    try {
      if (fault.kind === "reset") {
        req.socket.destroy();
        return;
      }
      if (fault.kind === "status") {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
        res.writeHead(fault.status, headers).end(fault.body ?? JSON.stringify({ error: `injected ${fault.status}` }));
        return;
      }
      if (fault.kind === "slow") await new Promise((r) => setTimeout(r, fault.ms));
      const upstream = await forward(req, body);
      const text = Buffer.from(await upstream.arrayBuffer());
      if (fault.kind === "drop-response") {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (k !== "content-length" && k !== "transfer-encoding" && k !== "connection" && k !== "keep-alive")
          headers[k] = v;
      });
      if (!res.destroyed) res.writeHead(upstream.status, headers).end(text);
    } catch {
      req.socket.destroy();
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    plan(faults) {
      queue = [...faults];
      standing = undefined;
    },
    always(fault) {
      queue = [];
      standing = fault;
    },
    get requests() {
      return state.requests;
    },
    set requests(n) {
      state.requests = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
