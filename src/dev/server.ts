// `upstash-memory dev`: an HTTP endpoint that speaks the Upstash Redis REST API
// (as @upstash/redis 1.x uses it) in front of a real Redis server, so apps, the
// CLI and the tests can run against it without an Upstash account.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { TokenCheck } from "./auth.js";
import { CommandTable } from "./command-table.js";
import { openConnection, RedisUnavailableError, TransactionPool } from "./connections.js";
import { encodeReply, wantsBase64 } from "./encoding.js";
import { Executor, TransactionAbortedError, type Outcome, type PipelineItem } from "./executor.js";
import { CommandPolicy, type Access } from "./policy.js";
import { readBody } from "./request-body.js";
import { ALLOWED_METHODS, argText, HttpError, parseRoute, splitTarget, type Argv } from "./routes.js";

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
  const table = new CommandTable((name) => shared.callBuffer("COMMAND", "INFO", name));
  const handler = new RequestHandler({
    tokens: new TokenCheck(opts.token, opts.readonlyToken),
    table,
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
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
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

interface HandlerDeps {
  tokens: TokenCheck;
  table: CommandTable;
  policy: CommandPolicy;
  executor: Executor;
  latencyMs: number;
}

class RequestHandler {
  constructor(private readonly deps: HandlerDeps) {}

  /** Answers every request with JSON; nothing a client sends can throw out of here. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.respond(req)
      .catch(errorResponse)
      .then(({ status, body, headers }) => send(res, status, body, headers))
      .catch(() => res.destroy());
  }

  private async respond(req: IncomingMessage): Promise<JsonResponse> {
    const method = req.method ?? "GET";
    if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
      return { status: 405, body: { error: `ERR method ${method} not allowed` }, headers: { Allow: ALLOWED_METHODS.join(", ") } };
    }
    const { pathname, query } = splitTarget(req.url ?? "/");
    const access = this.deps.tokens.access(req.headers.authorization, query.get("_token"));
    if (!access) return { status: 401, body: { error: "Unauthorized" } };

    const body = await readBody(req);
    if (this.deps.latencyMs > 0) await sleep(this.deps.latencyMs);
    const route = parseRoute(method, pathname, query, body);
    const base64 = wantsBase64(req.headers["upstash-encoding"]);

    if (route.kind === "command") {
      if (route.viaPath && !(await this.deps.table.get(argText(route.argv[0])))) {
        throw new HttpError(404, `ERR unknown route: ${pathname.split("/").slice(0, 2).join("/")} is not a Redis command`);
      }
      const refused = await this.deps.policy.refusal(route.argv, access);
      if (refused) throw new HttpError(400, refused);
      const outcome = await this.deps.executor.command(route.argv);
      return "error" in outcome
        ? { status: 400, body: outcome }
        : { status: 200, body: { result: encodeReply(outcome.result, base64) } };
    }

    const refusals = await this.refusals(route.commands, access);
    if (route.kind === "pipeline") {
      const items: PipelineItem[] = route.commands.map((argv, i) => {
        const refused = refusals[i];
        return refused ? { refused } : argv;
      });
      return { status: 200, body: encodeAll(await this.deps.executor.pipeline(items), base64) };
    }
    // A refused command would be a queue-time error in Redis: the whole
    // transaction is discarded, with the refusal as the reason.
    const refused = refusals.find((r) => r !== undefined);
    if (refused) throw new HttpError(400, refused);
    return { status: 200, body: encodeAll(await this.deps.executor.transaction(route.commands), base64) };
  }

  private refusals(commands: Argv[], access: Access): Promise<Array<string | undefined>> {
    return Promise.all(commands.map((argv) => this.deps.policy.refusal(argv, access)));
  }
}

interface JsonResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function encodeAll(outcomes: Outcome[], base64: boolean): Array<{ result: unknown } | { error: string }> {
  return outcomes.map((o) => ("error" in o ? o : { result: encodeReply(o.result, base64) }));
}

function errorResponse(err: unknown): JsonResponse {
  if (err instanceof HttpError) {
    // A body that was too big is not read to its end: close the connection
    // rather than keep draining it.
    const headers: Record<string, string> | undefined = err.status === 413 ? { Connection: "close" } : undefined;
    return { status: err.status, body: { error: err.message }, headers };
  }
  if (err instanceof TransactionAbortedError) return { status: 400, body: { error: err.message } };
  if (err instanceof RedisUnavailableError) return { status: 503, body: { error: err.message } };
  return { status: 500, body: { error: `ERR internal error: ${(err as Error)?.message ?? String(err)}` } };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": payload.length,
    // @upstash/redis echoes this back for read-your-writes; one Redis needs no
    // syncing, but the token still changes with every response as on Upstash.
    "upstash-sync-token": randomBytes(12).toString("base64url"),
  });
  res.end(payload);
}
