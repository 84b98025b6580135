// `upstash-memory dev`: an HTTP endpoint that speaks the Upstash Redis REST API
// (as @upstash/redis 1.x uses it) in front of a real Redis server, so apps, the
// CLI and the tests can run against it without an Upstash account.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { TokenCheck } from "./auth.js";
import { CommandTable } from "./command-table.js";
import { ConnectionCap, MAX_CONNECTIONS } from "./connection-cap.js";
import { ConnectionPool, MAX_REPLY_BYTES, openConnection, RedisUnavailableError } from "./connections.js";
import { Executor } from "./executor.js";
import { RequestHandler, syncToken } from "./handler.js";
import { type Access, CommandPolicy } from "./policy.js";
import { createAclUsers } from "./acl.js";
import { RequestGuard } from "./request-guard.js";
import { ScriptWatchdog } from "./script-watchdog.js";
import { Subscriptions } from "./subscribe.js";

export interface EndpointOptions {
  redisUrl: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  token: string;
  /** A second token that may only read. */
  readonlyToken?: string;
  /** Origins (scheme://host[:port]) whose web pages may send requests; every other Origin is refused. */
  allowOrigins?: string[];
  /** Added to every request, to feel a remote database's round trip. */
  latencyMs?: number;
  /** How long a client has to send a whole request, headers and body (default 30 s). */
  requestTimeoutMs?: number;
  /** How long a script may run before the endpoint kills it (default: Redis' busy threshold, 5 s). */
  scriptTimeoutMs?: number;
  /** How long Redis has to answer a command before its request fails with 503 (default 30 s). */
  replyTimeoutMs?: number;
  /** Bytes of reply one request may receive, counted as they arrive (default 10 MB). */
  maxReplyBytes?: number;
  /** Commands one /pipeline or /multi-exec request may hold (default 10,000). */
  maxCommands?: number;
  /** Client connections open at once (default 500); past it, idle ones are closed first. */
  maxConnections?: number;
  /**
   * The Redis at redisUrl was started for this endpoint alone (by `dev`), and
   * its default user may configure it. The endpoint then has Redis enforce its
   * limits too: a reply well past maxReplyBytes (a quarter more) is dropped by Redis
   * before it is sent (client-output-buffer-limit), which also ends early the
   * command that builds it.
   */
  ownRedis?: boolean;
}

export interface Endpoint {
  url: string;
  token: string;
  readonlyToken?: string;
  stats: { requests: number };
  close(): Promise<void>;
}

/** Connections to Redis, one per request running; more requests wait for one to free up. */
const POOL_SIZE = 16;
export const MAX_COMMANDS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const SCRIPT_TIMEOUT_MS = 5_000;
const REPLY_TIMEOUT_MS = 30_000;

export async function startEndpoint(opts: EndpointOptions): Promise<Endpoint> {
  const host = opts.host ?? "127.0.0.1";
  // First: refused tokens (empty, equal) fail before anything is opened.
  const tokens = new TokenCheck(opts.token, opts.readonlyToken);
  const replyTimeoutMs = opts.replyTimeoutMs ?? REPLY_TIMEOUT_MS;
  // The control connection loads the command table and kills runaway scripts.
  const control = await openConnection(opts.redisUrl, true);
  const maxReplyBytes = opts.maxReplyBytes ?? MAX_REPLY_BYTES;
  let table: CommandTable;
  let redisVersion: string;
  let urls: Record<Access, string>;
  try {
    if (opts.ownRedis) {
      // A quarter more than the limit: Redis counts its allocations (rounded up
      // to the allocator's size classes, at most a quarter apart), the
      // endpoint counts bytes exactly.
      const redisLimit = Math.ceil(maxReplyBytes * 1.25) + 64 * 1024;
      await control.config("SET", "client-output-buffer-limit", `normal ${redisLimit} 0 0`);
    }
    table = await CommandTable.load((names) => control.callBuffer("COMMAND", "INFO", ...names));
    redisVersion = `Redis ${/redis_version:(\S+)/.exec(await control.info("server").catch(() => ""))?.[1] ?? "of unknown version"}`;
    // On its own redis-server, each token's requests log in as a Redis user of their own.
    urls = opts.ownRedis
      ? await createAclUsers(control, opts.redisUrl, table)
      : { full: opts.redisUrl, readonly: opts.redisUrl };
  } catch (err) {
    control.disconnect();
    throw new RedisUnavailableError(err);
  }
  const watchdog = new ScriptWatchdog(control, opts.scriptTimeoutMs ?? SCRIPT_TIMEOUT_MS);
  const pools = new Map<string, ConnectionPool>();
  const executors = {} as Record<Access, Executor>;
  for (const access of ["full", "readonly"] as const) {
    let pool = pools.get(urls[access]);
    if (!pool) {
      pool = new ConnectionPool(urls[access], {
        size: POOL_SIZE,
        replyTimeoutMs,
        maxReplyBytes,
        redisStillUp: opts.ownRedis ? () => answersPing(control) : undefined,
      });
      pools.set(urls[access], pool);
    }
    executors[access] = new Executor(pool, watchdog);
  }
  const handler = new RequestHandler({
    guard: new RequestGuard(host, opts.allowOrigins),
    tokens,
    policy: new CommandPolicy(table, redisVersion),
    executors,
    latencyMs: opts.latencyMs ?? 0,
    maxCommands: opts.maxCommands ?? MAX_COMMANDS,
    subscriptions: new Subscriptions(),
    redisUrls: urls,
  });
  const stats = { requests: 0 };

  // A client that sends its headers or body slowly, or never, loses the
  // connection after the timeout (408) instead of holding it for minutes.
  const timeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const server = http.createServer(
    { headersTimeout: timeoutMs, requestTimeout: timeoutMs, connectionsCheckingInterval: Math.min(1_000, timeoutMs) },
    (req, res) => {
      stats.requests++;
      cap.serve(req, res);
      handler.handle(req, res);
    },
  );
  const cap = new ConnectionCap(opts.maxConnections ?? MAX_CONNECTIONS);
  server.on("connection", (socket: Socket) => cap.admit(socket));
  server.on("clientError", answerClientError);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", reject);
        // Once listening, a failure to accept one connection (too many open
        // files) is that connection's problem: the endpoint keeps serving.
        server.on("error", () => {});
        resolve();
      });
    });
  } catch (err) {
    control.disconnect();
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
        for (const pool of pools.values()) pool.close();
        control.disconnect();
      });
      return closing;
    },
  };
}

/** Whether Redis answers PING within a second. */
async function answersPing(conn: Redis): Promise<boolean> {
  const timeout = sleep(1_000, false, { ref: false });
  return Promise.race([
    conn.ping().then(
      () => true,
      () => false,
    ),
    timeout,
  ]);
}

/** HTTP the parser rejected, or a request not received in time: a JSON answer if the socket still takes one, never a throw. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    err.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "Request Timeout", "ERR the request was not received in time"]
      : err.code === "HPE_HEADER_OVERFLOW"
        ? [431, "Request Header Fields Too Large", "ERR request headers too large"]
        : [400, "Bad Request", "ERR malformed HTTP request"];
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nupstash-sync-token: ${syncToken()}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The host clients should use: a wildcard bind is reached through loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
