// `upstash-memory dev`: an HTTP endpoint that speaks the Upstash Redis REST API
// (as @upstash/redis 1.x uses it) in front of a real Redis server, so apps, the
// CLI and the tests can run against it without an Upstash account.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { TokenCheck } from "./auth.js";
import { CommandTable } from "./command-table.js";
import { openConnection, RedisUnavailableError, TransactionPool } from "./connections.js";
import { Executor } from "./executor.js";
import { RequestHandler, syncToken } from "./handler.js";
import { CommandPolicy } from "./policy.js";

export interface EndpointOptions {
  redisUrl: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  token: string;
  /** A second token that may only read. */
  readonlyToken?: string;
  /** Added to every request, to feel a remote database's round trip. */
  latencyMs?: number;
}

export interface Endpoint {
  url: string;
  token: string;
  readonlyToken?: string;
  stats: { requests: number };
  close(): Promise<void>;
}

/** Connections for concurrent MULTI/EXEC; more transactions wait for one to free up. */
const TRANSACTION_POOL_SIZE = 8;

export async function startEndpoint(opts: EndpointOptions): Promise<Endpoint> {
  const host = opts.host ?? "127.0.0.1";
  const shared = await openConnection(opts.redisUrl, true);
  const pool = new TransactionPool(opts.redisUrl, TRANSACTION_POOL_SIZE);
  let table: CommandTable;
  try {
    table = await CommandTable.load((names) => shared.callBuffer("COMMAND", "INFO", ...names));
  } catch (err) {
    shared.disconnect();
    throw new RedisUnavailableError(err);
  }
  const handler = new RequestHandler({
    tokens: new TokenCheck(opts.token, opts.readonlyToken),
    policy: new CommandPolicy(table),
    executor: new Executor(shared, pool),
    latencyMs: opts.latencyMs ?? 0,
  });
  const stats = { requests: 0 };

  const server = http.createServer((req, res) => {
    stats.requests++;
    handler.handle(req, res);
  });
  // Unparseable HTTP: answer 400 if the socket still allows it, never throw.
  server.on("clientError", (_err, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: "ERR malformed HTTP request" });
    socket.end(
      "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\nupstash-sync-token: ${syncToken()}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    shared.disconnect();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${(server.address() as AddressInfo).port}`,
    token: opts.token,
    readonlyToken: opts.readonlyToken,
    stats,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => {
        pool.close();
        shared.disconnect();
      });
      return closing;
    },
  };
}

/** The host clients should use: a wildcard bind is reached through loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
