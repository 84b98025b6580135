// `sessions list` as data, in memory that does not grow with the messages.
// Without a sort, sessions stream in scan order, page by page. With one, the
// scan keeps compact records (id, count, TTL: no message content), sorts and
// cuts them, then reads the newest message of each, in order, 1,000 per
// request: the same Redis commands as one pass (LLEN, TTL, LINDEX per
// session), and 100,000 sessions sort in a few megabytes whatever they hold.
import type { Store } from "../store/types.js";
import type { KeySpace } from "./keys.js";
import {
  newestMessage,
  scanKeys,
  scanSessions,
  sessionMetaPlan,
  type ScanOptions,
  type SessionInfo,
  type SessionMeta,
} from "./scan.js";
import { SortColumns, type SortField } from "./sort-columns.js";

export { SORT_FIELDS, type SortField } from "./sort-columns.js";

/**
 * Told when --limit cut the list: `found` sessions were seen; `complete` when
 * the scan went to the end (else there may be more).
 */
export type OnCut = (shown: number, found: number, complete: boolean) => void;

export interface ListOptions extends ScanOptions {
  sort?: SortField;
  limit?: number;
  /** With a sort: skip this many sessions first (pages of a sorted list). */
  offset?: number;
  onCut?: OnCut;
}

/** Newest messages read per request in the second pass of a sorted list. */
const NEWEST_BATCH = 1000;

/** Sessions page by page: in scan order, or sorted when `sort` is given; at most `limit`. */
export async function* listSessions(store: Store, keys: KeySpace, opts: ListOptions): AsyncGenerator<SessionInfo[]> {
  if (opts.sort === undefined) {
    // Scan order: --limit stops the scan as soon as one session more than it allows turns up.
    let n = 0;
    let seen = 0;
    for await (const page of scanSessions(store, keys, { ...opts, readAhead: opts.limit === undefined })) {
      seen += page.length;
      const room = opts.limit === undefined ? page.length : opts.limit - n;
      if (room > 0) yield room < page.length ? page.slice(0, room) : page;
      n += Math.max(0, Math.min(room, page.length));
      if (room < page.length) return opts.onCut?.(n, seen, false);
    }
    return;
  }
  const { columns, order } = await sortedColumns(store, keys, opts);
  for (let i = 0; i < order.length; i += NEWEST_BATCH) {
    const batch = Array.from(order.subarray(i, i + NEWEST_BATCH), (row) => columns.meta(row, keys));
    const outcomes = await store.pipeline(
      batch.map((m) => ["LINDEX", m.key, 0]),
      { idempotent: true },
    );
    yield batch.map((m, j) => ({ ...m, last: newestMessage(outcomes[j]) }));
  }
}

async function sortedColumns(
  store: Store,
  keys: KeySpace,
  opts: ListOptions,
): Promise<{ columns: SortColumns; order: Uint32Array }> {
  const columns = new SortColumns();
  const scan = scanKeys(store, keys, sessionMetaPlan(keys), { ...opts, readAhead: true });
  for await (const page of scan) for (const m of page) columns.add(m);
  const order = columns.order(opts.sort ?? "name");
  const from = Math.min(opts.offset ?? 0, order.length);
  const end = opts.limit === undefined ? order.length : Math.min(order.length, from + opts.limit);
  if (from === 0 && end === order.length) return { columns, order };
  opts.onCut?.(end - from, order.length, true);
  return { columns, order: order.subarray(from, end) };
}

/** Compact records of every matching session, sorted (by name unless told) and cut to `limit`. */
export async function collectSessionMeta(store: Store, keys: KeySpace, opts: ListOptions): Promise<SessionMeta[]> {
  const { columns, order } = await sortedColumns(store, keys, opts);
  return Array.from(order, (row) => columns.meta(row, keys));
}

/** Every matching session with its newest message, sorted (by name unless told). */
export async function collectSessions(store: Store, keys: KeySpace, opts: ListOptions): Promise<SessionInfo[]> {
  const all: SessionInfo[] = [];
  for await (const page of listSessions(store, keys, { ...opts, sort: opts.sort ?? "name" })) all.push(...page);
  return all;
}

/** Sessions one by one (see listSessions). */
export async function* streamSessions(store: Store, keys: KeySpace, opts: ListOptions): AsyncGenerator<SessionInfo> {
  for await (const page of listSessions(store, keys, opts)) yield* page;
}

/**
 * For a table on a terminal, which needs every row before it can size its
 * columns: newest messages cut to what one line can show, so the rows stay
 * small; `byName` sorts what was found (the sessions --limit kept, in scan order).
 */
export async function collectTableRows(
  pages: AsyncIterable<readonly SessionInfo[]>,
  opts: { byName?: boolean; maxChars?: number } = {},
): Promise<SessionInfo[]> {
  const max = opts.maxChars ?? 1000;
  const rows: SessionInfo[] = [];
  for await (const page of pages)
    for (const s of page) {
      rows.push(
        s.last && s.last.content.length > max
          ? { ...s, last: { role: s.last.role, content: s.last.content.slice(0, max) } }
          : s,
      );
    }
  if (opts.byName) rows.sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  return rows;
}
