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

/**
 * Told when --limit cut the list: `found` sessions were seen; `complete` when
 * the scan went to the end (else there may be more).
 */
export type OnCut = (shown: number, found: number, complete: boolean) => void;

export async function collectSessions(
  store: Store,
  keys: KeySpace,
  opts: ScanOptions & { sort?: SortField; limit?: number; onCut?: OnCut },
): Promise<SessionInfo[]> {
  const all: SessionInfo[] = [];
  // Without an explicit sort, --limit can stop the scan early: once one more
  // than the limit is found, so that a cut list is known to be cut.
  const early = opts.sort === undefined && opts.limit !== undefined;
  let complete = true;
  for await (const page of scanSessions(store, keys, opts)) {
    all.push(...page);
    if (early && all.length > opts.limit!) {
      complete = false;
      break;
    }
  }
  all.sort(compare[opts.sort ?? "name"]);
  // A scan stopped early has more to find even when it stopped at exactly --limit.
  if (opts.limit === undefined || (complete && all.length <= opts.limit)) return all;
  opts.onCut?.(opts.limit, all.length, complete);
  return all.slice(0, opts.limit);
}

/** Streams sessions as the scan finds them (for --ndjson), up to `limit`. */
export async function* streamSessions(store: Store, keys: KeySpace, opts: ScanOptions & { limit?: number; onCut?: OnCut }): AsyncGenerator<SessionInfo> {
  let n = 0;
  let seen = 0;
  for await (const page of scanSessions(store, keys, opts)) {
    seen += page.length;
    for (const s of page) {
      if (opts.limit !== undefined && n >= opts.limit) return opts.onCut?.(n, seen, false);
      n++;
      yield s;
    }
  }
}
