// `history show --follow`: after the conversation, each new message as the
// app stores it. The list grows at its head and the part already seen stays at
// the tail, so `LRANGE key 0 -(seen+1)` returns exactly the new elements: one
// small request per poll that asks only for what is new.
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/types.js";
import { asBytes, asBytesList, asInt, unwrap } from "../store/replies.js";
import { decodeHistory, type DecodedMessage } from "./codec.js";
import { ttlFromReply } from "../duration.js";

export type FollowEvent =
  | { kind: "messages"; messages: DecodedMessage[] }
  | { kind: "cleared" }
  | { kind: "expired" }
  | { kind: "compacted"; count: number }
  | { kind: "started"; count: number; messages: DecodedMessage[] };

export interface FollowState {
  /** Elements seen so far (they sit at the tail). */
  seen: number;
  /** The oldest element seen: if it changes, the list was rewritten. */
  oldest: Buffer | null;
  ttlSeconds: number | null;
}

export interface FollowOptions {
  intervalMs: number;
  signal: AbortSignal;
}

export async function* follow(store: Store, key: string, state: FollowState, opts: FollowOptions): AsyncGenerator<FollowEvent> {
  let { seen, oldest, ttlSeconds } = state;
  while (!opts.signal.aborted) {
    await sleep(opts.intervalMs, undefined, { signal: opts.signal }).catch(() => undefined);
    if (opts.signal.aborted) return;
    const o = await store.pipeline(
      [["LRANGE", key, 0, -(seen + 1)], ["LLEN", key], ["TTL", key], ["LINDEX", key, -1]],
      { idempotent: true },
    );
    const length = asInt(unwrap(o[1]));
    const ttl = asInt(unwrap(o[2]));
    const tail = unwrap(o[3]);
    if (length === 0) {
      if (seen > 0) {
        // A TTL that was about to run out means it expired; otherwise someone deleted it.
        yield ttl === -2 && ttlSeconds !== null && ttlSeconds <= Math.ceil(opts.intervalMs / 1000) + 1 ? { kind: "expired" } : { kind: "cleared" };
      }
      seen = 0;
      oldest = null;
      ttlSeconds = null;
      continue;
    }
    const tailBytes = tail === null ? null : asBytes(tail);
    oldest ??= tailBytes;
    if (seen === 0 || (oldest && tailBytes && !tailBytes.equals(oldest)) || length < seen) {
      // New session, or rewritten at the tail (e.g. `summarize --store`): show it whole again.
      const [all] = await store.pipeline([["LRANGE", key, 0, -1]], { idempotent: true });
      const elements = asBytesList(unwrap(all));
      yield seen === 0 ? { kind: "started", count: elements.length, messages: decodeHistory(elements) } : { kind: "compacted", count: elements.length };
      if (seen !== 0) yield { kind: "messages", messages: decodeHistory(elements) };
      seen = elements.length;
      oldest = tailBytes;
      ttlSeconds = ttlFromReply(ttl);
      continue;
    }
    const fresh = asBytesList(unwrap(o[0]));
    if (fresh.length) yield { kind: "messages", messages: decodeHistory(fresh, seen + 1) };
    seen += fresh.length;
    ttlSeconds = ttlFromReply(ttl);
  }
}
