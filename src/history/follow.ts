// `history show --follow`: after the conversation, each new message as the
// app stores it. The list grows at its head and the part already seen stays at
// the tail, so `LRANGE key 0 -(seen+1)` returns exactly the new elements: one
// small request per poll that asks only for what is new.
//
// When the tail changes or the list gets shorter, the list was rewritten, and
// there are two very different causes to tell apart:
// - a compaction (`summarize --store`, an app trimming its window) keeps the
//   newest messages, or leaves a stored summary as the oldest element;
// - a clear or an expiry followed by a new message (all within one poll) keeps
//   nothing of what was seen: the session ended and a new one started.
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/types.js";
import { asBytes, asBytesList, asInt, unwrap } from "../store/replies.js";
import { decodeElement, type DecodedMessage } from "./codec.js";
import { decodeSession } from "./readers.js";
import { ttlFromReply } from "../duration/duration.js";
import { summaryMark } from "../summarize/memory.js";

export type FollowEvent =
  | { kind: "messages"; messages: DecodedMessage[] }
  | { kind: "cleared" }
  | { kind: "expired" }
  | { kind: "compacted"; count: number }
  /** The session appeared: for the first time, or `again` after it ended. */
  | { kind: "started"; count: number; messages: DecodedMessage[]; again: boolean };

export interface FollowState {
  /** Elements seen so far (they sit at the tail); 0 when the session does not exist yet. */
  seen: number;
  /** The oldest element seen: if it changes, the list was rewritten. */
  oldest: Buffer | null;
  /** The newest element seen (null when not read, e.g. with --first). */
  newest: Buffer | null;
  ttlSeconds: number | null;
}

export interface FollowOptions {
  intervalMs: number;
  signal: AbortSignal;
}

/** After a rewrite: does the new list still hold what was seen, or is it a new session? */
function isCompaction(elements: Buffer[], newest: Buffer | null): boolean {
  if (newest && elements.some((e) => e.equals(newest))) return true;
  const tail = elements[elements.length - 1];
  return tail !== undefined && summaryMark(decodeElement(tail, 1)) !== undefined;
}

export async function* follow(
  store: Store,
  key: string,
  state: FollowState,
  opts: FollowOptions,
): AsyncGenerator<FollowEvent> {
  let { seen, oldest, newest, ttlSeconds } = state;
  // Whether the session existed at some point while followed (then a new start is "again").
  let existed = seen > 0;
  /** A TTL that was about to run out at the last poll means it expired; otherwise someone deleted it. */
  const ended = (): FollowEvent =>
    ttlSeconds !== null && ttlSeconds <= Math.ceil(opts.intervalMs / 1000) + 1
      ? { kind: "expired" }
      : { kind: "cleared" };
  while (!opts.signal.aborted) {
    await sleep(opts.intervalMs, undefined, { signal: opts.signal }).catch(() => undefined);
    if (opts.signal.aborted) return;
    const o = await store.pipeline(
      [
        ["LRANGE", key, 0, -(seen + 1)],
        ["LLEN", key],
        ["TTL", key],
        ["LINDEX", key, -1],
      ],
      { idempotent: true },
    );
    const length = asInt(unwrap(o[1]));
    const ttl = asInt(unwrap(o[2]));
    const tail = unwrap(o[3]);
    if (length === 0) {
      if (seen > 0) yield ended();
      seen = 0;
      oldest = newest = null;
      ttlSeconds = null;
      continue;
    }
    const tailBytes = tail === null ? null : asBytes(tail);
    oldest ??= tailBytes;
    let elements: Buffer[] | undefined;
    if (seen === 0) {
      // With nothing seen, the LRANGE above read the whole list.
      elements = asBytesList(unwrap(o[0]));
    } else if ((oldest && tailBytes && !tailBytes.equals(oldest)) || length < seen) {
      const [all] = await store.pipeline([["LRANGE", key, 0, -1]], { idempotent: true });
      elements = asBytesList(unwrap(all));
      if (isCompaction(elements, newest)) {
        yield { kind: "compacted", count: elements.length };
        yield { kind: "messages", messages: decodeSession(elements, key) };
      } else {
        yield ended();
        yield { kind: "started", count: elements.length, messages: decodeSession(elements, key), again: true };
      }
    }
    if (elements) {
      if (seen === 0)
        yield { kind: "started", count: elements.length, messages: decodeSession(elements, key), again: existed };
      seen = elements.length;
      oldest = tailBytes;
      newest = elements[0] ?? null;
      ttlSeconds = ttlFromReply(ttl);
      existed = true;
      continue;
    }
    const fresh = asBytesList(unwrap(o[0]));
    if (fresh.length) {
      yield { kind: "messages", messages: decodeSession(fresh, key, seen + 1) };
      newest = fresh[0];
    }
    seen += fresh.length;
    ttlSeconds = ttlFromReply(ttl);
  }
}
