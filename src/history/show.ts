// `history show` as data: the session read, decoded, or a clear reason why not.
import type { Store } from "../store/types.js";
import type { KeySpace } from "../sessions/keys.js";
import { CliError, ExitCode, NotFoundError } from "../errors/errors.js";
import { decodeSession } from "./readers.js";
import { PAGE_SIZE, readHistory, streamHistory, type HistoryWindow } from "./read.js";
import { boundHeapGrowth, boundYoungGeneration } from "../sessions/memory.js";
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
 * The whole history, decoded and handed on a page of messages at a time,
 * oldest first: a long history is read, decoded and written a page at a time,
 * never held whole, as bytes or as text. An ordinary session is one request,
 * as loadHistory reads it; a longer one is read in pages from its oldest
 * message (see streamHistory), every page a message count below `asCounted`
 * (for a document that states the count) up to the count the first request saw.
 */
export async function* historyInPages(
  store: Store,
  keys: KeySpace,
  sessionId: string,
  asCounted = true,
): AsyncGenerator<HistoryView> {
  const key = keys.key(sessionId);
  for await (const page of streamHistory(store, key, PAGE_SIZE, asCounted)) {
    if (page.meta.type === "none") throw await notFound(store, keys, sessionId);
    if (page.meta.type !== "list") throw wrongType(key, page.meta.type);
    // A history longer than a page: read in bounded memory, as a scan is.
    if (page.firstIndex > 1) await boundHeapGrowth();
    boundYoungGeneration();
    const messages = decodeSession([...page.oldestFirst].reverse(), key, page.firstIndex);
    yield { sessionId, key, count: page.meta.count, ttlSeconds: page.meta.ttlSeconds, messages };
  }
}

/** The whole history page by page, oldest first, with what is stored while it is read (for --ndjson). */
export function streamHistoryView(store: Store, keys: KeySpace, sessionId: string): AsyncGenerator<HistoryView> {
  return historyInPages(store, keys, sessionId, false);
}
