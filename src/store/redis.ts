// redis:// and rediss:// transport (Upstash's TCP endpoint, self-hosted Redis,
// Flowise's "Redis-Backed Chat Memory"), through ioredis with byte replies.
import { Redis as IORedis, type RedisOptions } from "ioredis";
import { ConnectionError, RedisReplyError } from "../errors.js";
import { registerSecret } from "../secrets.js";
import { CONNECTION_REFUSED, givingUpHint, TransientError, withRetry } from "./retry.js";
import { bytesFromText, hasEscapedBytes } from "./bytes.js";
import type { BatchOptions, Cmd, Outcome, Reply, Store, StoreOptions, StoreStats } from "./types.js";

export class RedisStore implements Store {
  readonly transport = "redis" as const;
  readonly stats: StoreStats = { requests: 0, commands: 0 };
  readonly target: string;
  private readonly client: IORedis;
  private ready?: Promise<void>;
  /** ioredis reports a refused password as an event; commands then only see "Connection is closed". */
  private lastError?: Error;

  constructor(private readonly opts: StoreOptions) {
    const u = new URL(opts.url);
    registerSecret(decodeURIComponent(u.password));
    this.target = `${u.protocol}//${u.host}`;
    const options: RedisOptions = {
      lazyConnect: true,
      connectTimeout: opts.timeoutMs,
      commandTimeout: opts.timeoutMs,
      // Never resend a command on our behalf: a write whose reply was lost
      // could then apply twice. Our own retry decides, per batch.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) => (times > 2 ? null : 100 * times),
      enableReadyCheck: false,
      ...(u.protocol === "rediss:" ? { tls: { servername: u.hostname } } : {}),
    };
    this.client = new IORedis(opts.url, options);
    // Errors surface through the commands; keep ioredis from printing them.
    this.client.on("error", (err) => {
      this.lastError = err;
      opts.debug?.(`redis: ${err.message}`);
    });
  }

  private connect(): Promise<void> {
    this.ready ??= this.client.connect().catch((err: Error) => {
      this.ready = undefined;
      // ioredis rejects with "Connection is closed."; the error event said why (ECONNREFUSED, ...).
      const network = (this.lastError as { code?: unknown } | undefined)?.code ? this.lastError : undefined;
      throw classify(this.authFailure() ?? network ?? err, true);
    });
    return this.ready;
  }

  pipeline(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]> {
    return this.run(cmds, opts, false);
  }

  transaction(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]> {
    return this.run(cmds, opts, true);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  private authFailure(): Error | undefined {
    const e = this.lastError;
    return e && isReplyError(e) && /^(WRONGPASS|NOAUTH|NOPERM)|invalid password/.test(e.message) ? e : undefined;
  }

  private async run(cmds: Cmd[], opts: BatchOptions, atomic: boolean): Promise<Outcome[]> {
    if (cmds.length === 0) return [];
    return withRetry(this.opts.attempts ?? 3, opts.idempotent, async () => {
      await this.connect();
      this.stats.requests++;
      this.stats.commands += cmds.length;
      const started = Date.now();
      this.opts.debug?.(`→ ${atomic ? "MULTI" : "PIPELINE"} (${cmds.length} commands)`);
      const batch = atomic ? this.client.multi() : this.client.pipeline();
      for (const [name, ...args] of cmds) batch.callBuffer(String(name), ...args.map(toArg));
      let results: [Error | null, unknown][] | null;
      try {
        results = await batch.exec();
      } catch (err) {
        throw classify(this.authFailure() ?? (err as Error), false);
      }
      this.opts.debug?.(`← in ${Date.now() - started} ms`);
      if (!results) throw new TransientError("the transaction was aborted", false);
      return results.map(([err, value]) => {
        if (err) {
          if (isReplyError(err)) return { ok: false as const, error: err.message };
          throw classify(err, false);
        }
        return { ok: true as const, value: toReply(value) };
      });
    }).catch((err) => {
      if (err instanceof TransientError) {
        throw new ConnectionError(
          `${err.message} (${this.target})`,
          givingUpHint(err, this.opts.url, "check the redis:// URL, the password and that the server is reachable"),
        );
      }
      throw err;
    });
  }
}

/** Strings carrying bytes that are not UTF-8 (see bytes.ts) go as those bytes. */
function toArg(a: Cmd[number]): string | Buffer {
  if (typeof a === "number") return String(a);
  return typeof a === "string" && hasEscapedBytes(a) ? bytesFromText(a) : a;
}

function toReply(v: unknown): Reply {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || Buffer.isBuffer(v)) return v;
  if (typeof v === "string") return Buffer.from(v);
  if (Array.isArray(v)) return v.map(toReply);
  return null;
}

function isReplyError(err: Error): boolean {
  return err.name === "ReplyError";
}

function classify(err: Error, connecting: boolean): Error {
  if (isReplyError(err)) {
    const m = err.message;
    if (/^(WRONGPASS|NOAUTH|NOPERM)/.test(m) || m.includes("invalid password")) {
      return new ConnectionError(`Redis refused the credentials (${m.split("\n")[0]})`, "check the password in the redis:// URL");
    }
    // EXECABORT and friends: the whole transaction was discarded.
    return new RedisReplyError(m.replace(/^EXECABORT Transaction discarded because of: /, ""));
  }
  const code = (err as { code?: string }).code;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new TransientError("cannot resolve the host name (DNS)", true);
  if (code === "ECONNREFUSED") return new TransientError(CONNECTION_REFUSED, true);
  if (/timed? ?out/i.test(err.message)) return new TransientError("no answer in time", connecting);
  return new TransientError(err.message, connecting);
}
