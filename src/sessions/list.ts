// `sessions list` as data: stream pages, or collect, sort and cut.
import type { Store } from "../store/types.js";
import type { KeySpace } from "../keys.js";
import { scanSessions, type SessionInfo, type ScanOptions } from "./scan.js";

export const SORT_FIELDS = ["name", "count", "ttl"] as const;
export type SortField = (typeof SORT_FIELDS)[number];

const compare: Record<SortField, (a: SessionInfo, b: SessionInfo) => number> = {
  name: (a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0),
  count: (a, b) => b.count - a.count || compare.name(a, b),
  // Soonest to expire first; sessions that never expire last.
  ttl: (a, b) => (a.ttlSeconds ?? Infinity) - (b.ttlSeconds ?? Infinity) || compare.name(a, b),
};

export async function collectSessions(
  store: Store,
  keys: KeySpace,
  opts: ScanOptions & { sort?: SortField; limit?: number },
): Promise<SessionInfo[]> {
  const all: SessionInfo[] = [];
  // Without an explicit sort, --limit can stop the scan early.
  const early = opts.sort === undefined && opts.limit !== undefined;
  for await (const page of scanSessions(store, keys, opts)) {
    all.push(...page);
    if (early && all.length >= opts.limit!) break;
  }
  all.sort(compare[opts.sort ?? "name"]);
  return opts.limit !== undefined ? all.slice(0, opts.limit) : all;
}

/** Streams sessions as the scan finds them (for --ndjson), up to `limit`. */
export async function* streamSessions(store: Store, keys: KeySpace, opts: ScanOptions & { limit?: number }): AsyncGenerator<SessionInfo> {
  let n = 0;
  for await (const page of scanSessions(store, keys, opts)) {
    for (const s of page) {
      if (opts.limit !== undefined && n >= opts.limit) return;
      n++;
      yield s;
    }
  }
}
