// Connections from the endpoint to Redis: a pool, each request (a command, a
// pipeline, a MULTI/EXEC) on a connection of its own while it runs, so
// concurrent transactions never nest, and one request's reply never holds up
// another's. Every byte a connection receives while serving a request is
// counted as it arrives, before it is parsed: a request whose replies pass the
// limit loses its connection (and with it the rest of the reply, which Redis
// drops) and is refused with ReplyTooLargeError, so no reply can take the
// endpoint's memory, however many elements it has.
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

const CONNECT_TIMEOUT_MS = 5_000;
/** CLIENT SETNAME of every connection the endpoint opens, so CLIENT LIST tells them apart. */
export const CLIENT_NAME = "upstash-memory-dev";
const ACQUIRE_TIMEOUT_MS = 10_000;

/** Default for the bytes of reply one request may receive: Upstash's request size limit. */
export const MAX_REPLY_BYTES = 10 * 1024 * 1024;

/** A request's replies passed the limit; the endpoint answers 400 and names it. */
export class ReplyTooLargeError extends Error {
  constructor(limit: number) {
    super(
      `ERR reply too large: more than ${formatBytes(limit)} (the limit of dev --max-reply-bytes); ask for less at once (a range, COUNT, SCAN)`,
    );
    this.name = "ReplyTooLargeError";
  }
}

export function formatBytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}

/** Raised for every failure to reach Redis; the endpoint answers 503. */
export class RedisUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`ERR redis is unavailable: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = "RedisUnavailableError";
  }
}

/**
 * Connect and wait until ready. With `reconnect`, a lost connection comes back
 * on its own (backing off up to 2s); without it, the connection ends for good.
 * With `replyTimeoutMs`, a command Redis has not answered by then fails (503)
 * rather than holding its request: Redis paused, or stuck in a script that
 * cannot be killed.
 */
export async function openConnection(url: string, reconnect: boolean, replyTimeoutMs?: number): Promise<Redis> {
  const conn = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: replyTimeoutMs,
    connectionName: CLIENT_NAME,
    // While Redis is away commands fail at once (503) instead of queueing, and
    // a command whose reply was lost is never sent twice.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnect ? (times) => Math.min(times * 100, 2_000) : () => null,
  });
  // Failures surface on the commands; without a listener ioredis would also
  // print every reconnect error to the console.
  conn.on("error", () => {});
  try {
    await conn.connect();
  } catch (err) {
    conn.disconnect();
    throw new RedisUnavailableError(err);
  }
  return conn;
}

/**
 * Counts the bytes a connection receives, as they arrive and before ioredis
 * parses them; past the limit it cuts the connection, which fails every
 * command still waiting on it.
 */
class ReplyMeter {
  private bytes = 0;
  overflowed = false;

  constructor(
    conn: Redis,
    private readonly limit: number,
  ) {
    // Before ioredis' own listener: the chunk that passes the limit is never parsed.
    (conn.stream as NodeJS.ReadableStream & { prependListener: NodeJS.ReadableStream["on"] }).prependListener(
      "data",
      (chunk: Buffer) => {
        this.bytes += chunk.length;
        if (this.bytes > this.limit && !this.overflowed) {
          this.overflowed = true;
          conn.disconnect();
        }
      },
    );
  }

  reset(): void {
    this.bytes = 0;
  }
}

export interface PoolOptions {
  /** Connections open at once; more requests wait for one to free up. */
  size: number;
  replyTimeoutMs?: number;
  /** Bytes of reply one run may receive (default MAX_REPLY_BYTES). */
  maxReplyBytes?: number;
  /**
   * Set when Redis itself cuts a client whose reply passes the limit
   * (client-output-buffer-limit, on the endpoint's own redis-server): it does
   * so before sending a byte, so a connection lost mid-run while this says
   * Redis is still up was cut for the size of its reply.
   */
  redisStillUp?: () => Promise<boolean>;
}

export class ConnectionPool {
  private readonly idle: Redis[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly meters = new WeakMap<Redis, ReplyMeter>();
  private open = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly opts: PoolOptions,
  ) {}

  /**
   * Run `fn` on a connection no one else uses meanwhile. A connection goes back
   * to the pool only when `fn` returned and it is still an ordinary connection;
   * after a failure its state (a MULTI left open, a reply still due) is unknown,
   * so it is closed rather than handed to the next request. Replies past the
   * byte limit fail the run with ReplyTooLargeError, whatever `fn` made of the
   * lost connection.
   */
  async run<T>(fn: (conn: Redis) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    const meter = this.meters.get(conn)!;
    meter.reset();
    let clean = false;
    try {
      const result = await fn(conn);
      clean = !meter.overflowed;
      if (meter.overflowed) throw new ReplyTooLargeError(this.maxReplyBytes);
      return result;
    } catch (err) {
      if (meter.overflowed || (await this.cutByRedis(conn))) throw new ReplyTooLargeError(this.maxReplyBytes);
      throw err;
    } finally {
      this.release(conn, clean && conn.mode === "normal");
    }
  }

  private async cutByRedis(conn: Redis): Promise<boolean> {
    if (!this.opts.redisStillUp || conn.status === "ready") return false;
    return this.opts.redisStillUp().catch(() => false);
  }

  private get maxReplyBytes(): number {
    return this.opts.maxReplyBytes ?? MAX_REPLY_BYTES;
  }

  close(): void {
    this.closed = true;
    for (const conn of this.idle.splice(0)) conn.disconnect();
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async acquire(): Promise<Redis> {
    const deadline = Date.now() + ACQUIRE_TIMEOUT_MS;
    for (;;) {
      if (this.closed) throw new RedisUnavailableError("the endpoint is shutting down");
      const idle = this.idle.pop();
      if (idle) {
        if (idle.status === "ready") return idle;
        this.discard(idle);
        continue;
      }
      if (this.open < this.opts.size) {
        this.open++;
        try {
          const conn = await openConnection(this.url, false, this.opts.replyTimeoutMs);
          this.meters.set(conn, new ReplyMeter(conn, this.maxReplyBytes));
          return conn;
        } catch (err) {
          this.open--;
          this.wakeOne();
          throw err;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new RedisUnavailableError("every connection to Redis stayed busy for 10s");
      await this.waitForRelease(left);
    }
  }

  private release(conn: Redis, reusable: boolean): void {
    if (reusable && !this.closed && conn.status === "ready") this.idle.push(conn);
    else this.discard(conn);
    this.wakeOne();
  }

  private discard(conn: Redis): void {
    this.open--;
    conn.disconnect();
  }

  private wakeOne(): void {
    this.waiting.shift()?.();
  }

  private waitForRelease(ms: number): Promise<void> {
    const controller = new AbortController();
    return new Promise<void>((resolve) => {
      const wake = () => {
        controller.abort();
        resolve();
      };
      this.waiting.push(wake);
      sleep(ms, undefined, { signal: controller.signal }).then(
        () => {
          const i = this.waiting.indexOf(wake);
          if (i >= 0) this.waiting.splice(i, 1);
          resolve();
        },
        () => {},
      );
    });
  }
}
