// One HTTP request in, one JSON response out: authentication, body, route,
// policy, execution and encoding, with every failure turned into a status code
// and {"error": ...}.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { TokenCheck } from "./auth.js";
import { RedisUnavailableError, ReplyTooLargeError } from "./connections.js";
import { encodeReply, wantsBase64 } from "./encoding.js";
import { TransactionAbortedError, type Executor, type Outcome } from "./executor.js";
import { type Access, isRefusal, type CommandPolicy, type Refusal, type VettedCommand } from "./policy.js";
import { readBody } from "./request-body.js";
import { type Subscription, subscriptionRoute, type Subscriptions } from "./subscribe.js";
import type { RequestGuard } from "./request-guard.js";
import { ALLOWED_METHODS, HttpError, parseRoute, splitTarget } from "./routes.js";

export interface HandlerDeps {
  guard: RequestGuard;
  tokens: TokenCheck;
  policy: CommandPolicy;
  /** The executor of each access (on dev's own redis-server, each logs in as a Redis user of its own). */
  executors: Record<Access, Executor>;
  latencyMs: number;
  /** Commands one /pipeline or /multi-exec may hold. */
  maxCommands: number;
  subscriptions: Subscriptions;
  /** The Redis URL each access's subscription connections log in with. */
  redisUrls: Record<Access, string>;
}

export class RequestHandler {
  constructor(private readonly deps: HandlerDeps) {}

  /** Answers every request with JSON; nothing a client sends can throw out of here. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.respond(req)
      .catch(errorResponse)
      .then(async (answer) => {
        if (!("stream" in answer)) return send(res, answer.status, answer.body, answer.headers);
        try {
          await answer.stream(res);
        } catch (err) {
          const { status, body } = errorResponse(err);
          send(res, status, body);
        }
      })
      .catch(() => res.destroy());
  }

  private async respond(req: IncomingMessage): Promise<JsonResponse | StreamResponse> {
    const method = req.method ?? "GET";
    if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
      const allowed = ALLOWED_METHODS.join(", ");
      return {
        status: 405,
        body: { error: `ERR method ${method} not allowed: use ${allowed}` },
        headers: { Allow: allowed },
      };
    }
    const refused = this.deps.guard.refusal(req.headers);
    if (refused) return { status: 403, body: { error: refused } };
    const { pathname, query } = splitTarget(req.url ?? "/");
    const access = this.deps.tokens.access(req.headers.authorization, query.get("_token"));
    if (!access) return { status: 401, body: { error: "Unauthorized" } };

    const subscription = method === "POST" ? subscriptionRoute(pathname) : undefined;
    if (subscription) return this.subscribe(req, subscription, access);

    const body = await readBody(req);
    if (this.deps.latencyMs > 0) await sleep(this.deps.latencyMs);
    const route = parseRoute(method, pathname, query, body, this.deps.maxCommands);
    const base64 = wantsBase64(req.headers["upstash-encoding"]);

    if (route.kind === "command") {
      const vetted = this.deps.policy.vet(route.argv, access);
      if (isRefusal(vetted)) {
        if (route.viaPath && vetted.unknown) {
          throw new HttpError(
            404,
            `ERR unknown route: ${pathname.split("/").slice(0, 2).join("/")} is not a command this endpoint runs`,
          );
        }
        throw new HttpError(400, vetted.refused);
      }
      const outcome = await this.deps.executors[access].command(vetted);
      return "error" in outcome
        ? { status: 400, body: outcome }
        : { status: 200, body: { result: encodeReply(outcome.result, base64) } };
    }

    const items = route.commands.map((argv) => this.deps.policy.vet(argv, access));
    if (route.kind === "pipeline") {
      return { status: 200, body: encodeAll(await this.deps.executors[access].pipeline(items), base64) };
    }
    // A refused command would be a queue-time error in Redis: the whole
    // transaction is discarded, with the refusal as the reason.
    const refusal = items.find(isRefusal);
    if (refusal) throw new HttpError(400, transactionRefusal(refusal));
    return {
      status: 200,
      body: encodeAll(await this.deps.executors[access].transaction(items as VettedCommand[]), base64),
    };
  }

  /** The client's body ("[]") is read and dropped; both tokens may subscribe. */
  private async subscribe(req: IncomingMessage, sub: Subscription, access: Access): Promise<StreamResponse> {
    if (!/\btext\/event-stream\b/i.test(req.headers.accept ?? "")) {
      throw new HttpError(
        400,
        `ERR /${sub.kind} answers Server-Sent Events: send the header Accept: text/event-stream`,
      );
    }
    await readBody(req);
    this.deps.subscriptions.reserve();
    return {
      stream: (res) =>
        this.deps.subscriptions.stream(sub, this.deps.redisUrls[access], res, { "upstash-sync-token": syncToken() }),
    };
  }
}

/** An unknown command discards a transaction as Redis' EXECABORT does; other refusals speak for themselves. */
function transactionRefusal(refusal: Refusal): string {
  return refusal.unknown
    ? `EXECABORT Transaction discarded because of previous errors: ${refusal.refused}`
    : refusal.refused;
}

/** A response that streams: it takes the ServerResponse over. */
interface StreamResponse {
  stream(res: ServerResponse): Promise<void>;
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
  // The rest of a body that was too big is read and dropped by node:http after
  // the response: closing instead would make a client still sending it fail
  // with EPIPE before it sees the 413.
  if (err instanceof HttpError) return { status: err.status, body: { error: err.message } };
  if (err instanceof TransactionAbortedError || err instanceof ReplyTooLargeError) {
    return { status: 400, body: { error: err.message } };
  }
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
    "upstash-sync-token": syncToken(),
  });
  res.end(payload);
}

/**
 * @upstash/redis echoes this header back for read-your-writes. One Redis needs
 * no syncing, but the token still changes with every response, as on Upstash.
 */
export function syncToken(): string {
  return randomBytes(12).toString("base64url");
}
