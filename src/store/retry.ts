// The retry policy both transports share: bounded, with backoff, and only for
// batches that are safe to send twice. A failure that happened before anything
// was sent (connection refused, DNS) is always safe to retry.
import { setTimeout as sleep } from "node:timers/promises";
import { isLoopbackUrl, transportOf } from "./url.js";

export class TransientError extends Error {
  constructor(
    message: string,
    /** True when the request certainly never reached Redis. */
    readonly notSent: boolean,
    /** Server-suggested wait (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A request given up on after `timeoutMs`: it may have reached Redis. */
export function noAnswer(timeoutMs: number): TransientError {
  return new TransientError(`no answer within ${Math.round(timeoutMs / 100) / 10}s`, false);
}

/** The message both transports give a refused connection. */
export const CONNECTION_REFUSED = "connection refused";

/**
 * The hint for a store given up on. Nothing listening on this machine most
 * likely means a stopped `upstash-memory dev` (the `local` profile outlives it).
 */
export function givingUpHint(err: TransientError, url: string, otherwise: string): string {
  if (err.message === CONNECTION_REFUSED && isLoopbackUrl(url)) {
    // `dev` is a REST endpoint: no advice for a redis:// URL.
    return transportOf(url) === "rest"
      ? "nothing listens there: start the local endpoint with `upstash-memory dev` (or the server this URL is for)"
      : "nothing listens there: start the Redis server this URL is for, or check the port";
  }
  return otherwise;
}

export const MAX_WAIT_MS = 5_000;

export function backoffMs(attempt: number): number {
  // 100 ms, 300 ms, 900 ms ... capped; deterministic so tests stay bounded.
  return Math.min(100 * 3 ** attempt, 2_000);
}

export async function withRetry<T>(
  attempts: number,
  idempotent: boolean,
  run: () => Promise<T>,
  onRetry?: (err: TransientError, attempt: number) => void,
  /** Before resending a batch that may have reached Redis (its answer was lost). */
  onResend?: () => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const retryable = err instanceof TransientError && (idempotent || err.notSent);
      if (!retryable || attempt + 1 >= attempts) throw err;
      onRetry?.(err, attempt + 1);
      if (!err.notSent) onResend?.();
      await sleep(Math.min(err.retryAfterMs ?? backoffMs(attempt), MAX_WAIT_MS));
    }
  }
}
