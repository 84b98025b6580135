// Reading one session: metadata and elements in one pipelined request for
// ordinary sessions; pages from the tail for histories too large for one
// response (Upstash caps responses at 10 MB) or when streaming.
import type { Outcome, Store } from "../store/types.js";
import { asBytesList, asInt, asText, unwrap } from "../store/replies.js";
import { ttlFromReply } from "../duration/duration.js";
import { CliError } from "../errors/errors.js";

export interface HistoryWindow {
  /** Only the oldest N. */
  first?: number;
  /** With `first`: after skipping this many of the oldest (a page of the history). */
  skip?: number;
  /** Only the newest N. */
  last?: number;
}

export interface SessionMeta {
  key: string;
  /** Redis type: "list" for a chat history, "none" when the key does not exist. */
  type: string;
  count: number;
  ttlSeconds: number | null;
}

export interface HistoryRead extends SessionMeta {
  /** The selected elements exactly as stored, newest first. */
  newestFirst: Buffer[];
  /** 1-based position (oldest first) of the oldest element returned. */
  firstIndex: number;
}

export const PAGE_SIZE = 1000;

function metaCommands(key: string) {
  return [
    ["TYPE", key],
    ["LLEN", key],
    ["TTL", key],
  ];
}

function readMeta(key: string, outcomes: ReturnType<typeof unwrap>[]): SessionMeta {
  const type = asText(outcomes[0]);
  return {
    key,
    type,
    count: type === "list" ? asInt(outcomes[1]) : 0,
    ttlSeconds: type === "none" ? null : ttlFromReply(asInt(outcomes[2])),
  };
}

function rangeFor(w: HistoryWindow): [number, number] {
  if (w.last !== undefined) return [0, w.last - 1];
  if (w.first !== undefined) return [-((w.skip ?? 0) + w.first), -((w.skip ?? 0) + 1)];
  return [0, -1];
}

function tooLarge(err: unknown): boolean {
  return err instanceof CliError && /too large|max.*size|413/i.test(err.message);
}

export async function readHistory(store: Store, key: string, w: HistoryWindow = {}): Promise<HistoryRead> {
  const [a, b] = rangeFor(w);
  let outcomes: Outcome[];
  try {
    outcomes = await store.pipeline([...metaCommands(key), ["LRANGE", key, a, b]], { idempotent: true });
  } catch (err) {
    if (!tooLarge(err)) throw err;
    return readHistoryPaged(store, key, w);
  }
  const type = asText(unwrap(outcomes[0]));
  if (type !== "list") {
    return {
      ...readMeta(key, [Buffer.from(type), 0, outcomes[2].ok ? outcomes[2].value : -2]),
      newestFirst: [],
      firstIndex: 1,
    };
  }
  if (!outcomes[3].ok && /size|too large/i.test(outcomes[3].error)) return readHistoryPaged(store, key, w);
  const meta = readMeta(key, outcomes.slice(0, 3).map(unwrap));
  const newestFirst = asBytesList(unwrap(outcomes[3]));
  return { ...meta, newestFirst, firstIndex: firstIndexOf(meta.count, newestFirst.length, w) };
}

function firstIndexOf(count: number, got: number, w: HistoryWindow): number {
  return w.first !== undefined ? (w.skip ?? 0) + 1 : Math.max(count - got, 0) + 1;
}

export async function readMetaOnly(store: Store, key: string): Promise<SessionMeta> {
  const outcomes = await store.pipeline(metaCommands(key), { idempotent: true });
  const type = asText(unwrap(outcomes[0]));
  return readMeta(key, [Buffer.from(type), type === "list" ? unwrap(outcomes[1]) : 0, unwrap(outcomes[2])]);
}

/**
 * A whole history, oldest first, page by page: the first request also carries
 * the metadata, so an ordinary session is still one request, and a huge one
 * never sits in memory. Pages after the first are read from the tail (see
 * readPagesFromTail); `asCounted` stops at the count the first request saw, so
 * messages stored meanwhile are not shown under a count that leaves them out
 * (a document with a count); without it, they are shown too (one line each).
 */
export async function* streamHistory(
  store: Store,
  key: string,
  pageSize = PAGE_SIZE,
  asCounted = false,
): AsyncGenerator<{ meta: SessionMeta; oldestFirst: Buffer[]; firstIndex: number }> {
  const outcomes = await store.pipeline([...metaCommands(key), ["LRANGE", key, -pageSize, -1]], { idempotent: true });
  const type = asText(unwrap(outcomes[0]));
  if (type !== "list") {
    yield {
      meta: readMeta(key, [Buffer.from(type), 0, outcomes[2].ok ? outcomes[2].value : -2]),
      oldestFirst: [],
      firstIndex: 1,
    };
    return;
  }
  const meta = readMeta(key, outcomes.slice(0, 3).map(unwrap));
  const first = asBytesList(unwrap(outcomes[3]));
  yield { meta, oldestFirst: [...first].reverse(), firstIndex: 1 };
  if (first.length < pageSize) return;
  let index = first.length + 1;
  const rest = asCounted ? meta.count - first.length : Infinity;
  for await (const page of readPagesFromTail(store, key, rest, pageSize, first.length)) {
    yield { meta, oldestFirst: [...page].reverse(), firstIndex: index };
    index += page.length;
  }
}

/**
 * Pages from the tail (oldest) towards the head. Negative indices keep the
 * pages stable while the app LPUSHes new messages at the head. Yields each page
 * oldest-first-ordered as stored (newest first within the page).
 */
export async function* readPagesFromTail(
  store: Store,
  key: string,
  limit = Infinity,
  pageSize = PAGE_SIZE,
  skip = 0,
): AsyncGenerator<Buffer[]> {
  let taken = skip;
  limit += skip;
  while (taken < limit) {
    const want = Math.min(pageSize, limit - taken);
    const stop = -(taken + 1);
    const start = -(taken + want);
    const [o] = await store.pipeline([["LRANGE", key, start, stop]], { idempotent: true });
    const elements = asBytesList(unwrap(o));
    if (elements.length) yield elements;
    taken += elements.length;
    if (elements.length < want) return;
  }
}

async function readHistoryPaged(store: Store, key: string, w: HistoryWindow): Promise<HistoryRead> {
  const meta = await readMetaOnly(store, key);
  if (meta.type !== "list") return { ...meta, newestFirst: [], firstIndex: 1 };
  const wanted = w.first ?? w.last ?? meta.count;
  const skip = w.last !== undefined ? Math.max(meta.count - w.last, 0) : (w.skip ?? 0);
  const pages: Buffer[][] = [];
  // Oldest-first pages; for --last we page from the tail too and drop the skipped part.
  for await (const p of readPagesFromTail(store, key, skip + wanted)) pages.push(p);
  const oldestFirst = pages.flatMap((p) => [...p].reverse()).slice(skip);
  return { ...meta, newestFirst: oldestFirst.reverse(), firstIndex: skip + 1 };
}
