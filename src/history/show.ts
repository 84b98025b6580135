// `history show` as data: the session read, decoded, or a clear reason why not.
import type { Store } from "../store/types.js";
import type { KeySpace } from "../sessions/keys.js";
import { CliError, ExitCode, NotFoundError } from "../errors/errors.js";
import { decodeSession } from "./readers.js";
import { readHistory, streamHistory, type HistoryWindow } from "./read.js";
import { describeNearMisses, findNearMissesOf } from "../sessions/near-miss.js";
import type { HistoryView } from "../render/history.js";

export async function notFound(store: Store, keys: KeySpace, sessionId: string): Promise<NotFoundError> {
  const hint = describeNearMisses(await findNearMissesOf(store, keys, sessionId), keys);
  return new NotFoundError(
    `no session '${sessionId}'`,
    hint ?? "`upstash-memory sessions list` shows the sessions that exist",
  );
}

/** A key of another type: exit 1 in every command (what is done about it after the colon). */
export function wrongType(key: string, type: string, action?: string): CliError {
  return new CliError(
    `key '${key}' is a ${type}, not a chat history${action ? `: ${action}` : ""}`,
    ExitCode.failure,
    "chat histories are Redis lists; another part of the app uses this key",
  );
}

/**
 * One session, decoded. A session that does not exist is a NotFoundError, or
 * with `missingOk` (--follow waits for it) an empty view with count 0.
 */
export async function loadHistory(
  store: Store,
  keys: KeySpace,
  sessionId: string,
  window: HistoryWindow = {},
  missingOk = false,
): Promise<HistoryView> {
  const key = keys.key(sessionId);
  const h = await readHistory(store, key, window);
  if (h.type === "none" && missingOk) return { sessionId, key, count: 0, ttlSeconds: null, messages: [] };
  if (h.type === "none") throw await notFound(store, keys, sessionId);
  if (h.type !== "list") throw wrongType(key, h.type);
  return {
    sessionId,
    key,
    count: h.count,
    ttlSeconds: h.ttlSeconds,
    messages: decodeSession(h.newestFirst, key, h.firstIndex),
  };
}

/**
 * The whole history read in one request, as loadHistory reads it, but decoded
 * and handed on a page of messages at a time, oldest first: a long history is
 * written as it is decoded, never built whole as text.
 */
export async function* historyInPages(
  store: Store,
  keys: KeySpace,
  sessionId: string,
  pageSize = 1000,
): AsyncGenerator<HistoryView> {
  const key = keys.key(sessionId);
  const h = await readHistory(store, key);
  if (h.type === "none") throw await notFound(store, keys, sessionId);
  if (h.type !== "list") throw wrongType(key, h.type);
  const all = h.newestFirst;
  let done = 0;
  do {
    const n = Math.min(pageSize, all.length - done);
    const messages = decodeSession(all.slice(all.length - done - n, all.length - done), key, h.firstIndex + done);
    yield { sessionId, key, count: h.count, ttlSeconds: h.ttlSeconds, messages };
    done += n;
  } while (done < all.length);
}

/** The whole history page by page, oldest first (for --ndjson). */
export async function* streamHistoryView(store: Store, keys: KeySpace, sessionId: string): AsyncGenerator<HistoryView> {
  const key = keys.key(sessionId);
  for await (const page of streamHistory(store, key)) {
    if (page.meta.type === "none") throw await notFound(store, keys, sessionId);
    if (page.meta.type !== "list") throw wrongType(key, page.meta.type);
    const messages = decodeSession([...page.oldestFirst].reverse(), key, page.firstIndex);
    yield { sessionId, key, count: page.meta.count, ttlSeconds: page.meta.ttlSeconds, messages };
  }
}
