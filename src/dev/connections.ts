// Connections from the endpoint to Redis: one shared connection for single
// commands and pipelines, and a small pool for transactions, each MULTI/EXEC on
// a connection of its own so concurrent transactions never nest.
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

const CONNECT_TIMEOUT_MS = 5_000;
/** CLIENT SETNAME of every connection the endpoint opens, so CLIENT LIST tells them apart. */
export const CLIENT_NAME = "upstash-memory-dev";
const ACQUIRE_TIMEOUT_MS = 10_000;

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

export class TransactionPool {
  private readonly idle: Redis[] = [];
  private readonly waiting: Array<() => void> = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly size: number,
    private readonly replyTimeoutMs?: number,
  ) {}

  /**
   * Run `fn` on a connection no one else uses meanwhile. A connection goes back
   * to the pool only when `fn` returned and it is still an ordinary connection;
   * after a failure its state (a MULTI left open, a reply still due) is unknown,
   * so it is closed rather than handed to the next transaction.
   */
  async run<T>(fn: (conn: Redis) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    let clean = false;
    try {
      const result = await fn(conn);
      clean = true;
      return result;
    } finally {
      this.release(conn, clean && conn.mode === "normal");
    }
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
      if (this.open < this.size) {
        this.open++;
        try {
          return await openConnection(this.url, false, this.replyTimeoutMs);
        } catch (err) {
          this.open--;
          this.wakeOne();
          throw err;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new RedisUnavailableError("every transaction connection stayed busy for 10s");
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
