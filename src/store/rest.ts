// Upstash REST transport over the project's own HTTP client (./http.ts). We
// speak the wire protocol directly rather than through @upstash/redis because the CLI needs what that client hides: the
// HTTP status and Retry-After (to retry safely and to tell a bad token from an
// outage), byte-exact replies (its base64 decoding replaces invalid UTF-8), and
// a count of requests for --stats. Tests check this transport against the
// official client through the same endpoint.
import { ConnectionError, CliError, RedisReplyError } from "../errors/errors.js";
import { registerSecret } from "../errors/secrets.js";
import { givingUpHint, TransientError, withRetry } from "./retry.js";
import { HttpClient, type HttpResponse } from "./http.js";
import { restCommand } from "./rest-args.js";
import { plural } from "../text/plural.js";
import type { BatchOptions, Cmd, Outcome, Reply, Store, StoreOptions, StoreStats } from "./types.js";

type WireItem = { result?: unknown; error?: string };

export class RestStore implements Store {
  readonly transport = "rest" as const;
  readonly stats: StoreStats = { requests: 0, commands: 0 };
  readonly target: string;
  private readonly base: string;
  private syncToken = "";
  private readonly http: HttpClient;

  constructor(private readonly opts: StoreOptions) {
    registerSecret(opts.token);
    this.base = opts.url.replace(/\/+$/, "");
    const u = new URL(this.base);
    this.target = `${u.protocol}//${u.host}`;
    // Paths are resolved against the base, so keep a trailing slash on it (https://host/prefix/).
    this.http = new HttpClient(new URL(`${this.base}/`));
  }

  pipeline(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]> {
    return this.send("pipeline", cmds, opts);
  }

  transaction(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]> {
    return this.send("multi-exec", cmds, opts);
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private async send(path: string, cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]> {
    if (cmds.length === 0) return [];
    const body = JSON.stringify(cmds.map(restCommand));
    return withRetry(
      this.opts.attempts ?? 3,
      opts.idempotent,
      () => this.once(path, body, cmds.length),
      (err, n) => this.opts.debug?.(`retry ${n} after: ${err.message}`),
      opts.onResend,
    ).catch((err) => {
      if (err instanceof TransientError) {
        throw new ConnectionError(
          `${err.message} (${this.target})`,
          opts.idempotent || err.notSent
            ? givingUpHint(
                err,
                this.opts.url,
                "gave up after retrying; check the URL, your network, or the Upstash status page",
              )
            : "the request may or may not have been applied: check the session before retrying",
        );
      }
      throw err;
    });
  }

  private async once(path: string, body: string, count: number): Promise<Outcome[]> {
    const started = Date.now();
    this.stats.requests++;
    this.stats.commands += count;
    this.opts.debug?.(`→ POST /${path} (${plural(count, "command")}, ${body.length} bytes)`);
    const res = await this.http.post(
      path,
      {
        authorization: `Bearer ${this.opts.token ?? ""}`,
        "content-type": "application/json",
        "upstash-encoding": "base64",
        ...(this.syncToken ? { "upstash-sync-token": this.syncToken } : {}),
      },
      body,
      this.opts.timeoutMs,
    );
    const text = res.body.toString("utf8");
    this.opts.debug?.(`← ${res.status} in ${Date.now() - started} ms (${text.length} bytes)`);
    const sync = header(res, "upstash-sync-token");
    if (sync) this.syncToken = sync;
    if (res.status < 200 || res.status > 299) throw httpFailure(res, text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TransientError(`the server sent a response that is not JSON (HTTP ${res.status})`, false);
    }
    if (!Array.isArray(parsed) || parsed.length !== count) {
      throw new CliError(`unexpected response shape from ${path} (HTTP ${res.status})`);
    }
    return (parsed as WireItem[]).map((item) =>
      typeof item?.error === "string"
        ? { ok: false, error: item.error }
        : { ok: true, value: decodeReply(item?.result) },
    );
  }
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Undo Upstash-Encoding: base64 (every string, at any depth, except a top-level "OK"). */
export function decodeReply(v: unknown): Reply {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return v;
  if (typeof v === "string") return v === "OK" ? Buffer.from("OK") : Buffer.from(v, "base64");
  if (Array.isArray(v)) return v.map(decodeReply);
  return null;
}

function httpFailure(res: HttpResponse, text: string): Error {
  let message = "";
  try {
    message = String((JSON.parse(text) as WireItem).error ?? "");
  } catch {
    message = text.slice(0, 200);
  }
  const status = res.status;
  if (status === 401 || status === 403) {
    return new ConnectionError(
      `the store refused the token (HTTP ${status}${message ? `: ${message}` : ""})`,
      "use the REST token from the Upstash console (not the Redis password); `upstash-memory doctor` checks it",
    );
  }
  if (status === 429 || status >= 500) {
    const retryAfter = Number(header(res, "retry-after"));
    return new TransientError(
      `HTTP ${status}${message ? `: ${message}` : ""}`,
      // 429 and 503 mean the request was turned away before it ran.
      status === 429 || status === 503,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
  if (status === 413) return new CliError("request too large for the store (HTTP 413, Upstash's 10 MB limit)");
  if (status === 400 && message) return new RedisReplyError(message);
  return new CliError(`HTTP ${status}${message ? `: ${message}` : ""}`);
}
