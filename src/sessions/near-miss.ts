// "No such session" is often the right conversation under a slightly different
// key: LangChain Python's `message_store:` prefix, another case, stray
// whitespace, a typo (`user-43` for `user-42`), or a key the app builds from
// more than the id (`chat:user-42:main`). Every command that does not find a
// session, and `doctor`, asks here. The cost is bounded at two requests
// whatever the size of the database: the first checks the usual variants
// directly and reads the first SCAN page; the second reads the next page and
// the sizes of what was found. A larger keyspace is searched in part, and the
// result says so.
import type { Cmd, Outcome, ScanNode, Store } from "../store/types.js";
import { scanNodesOf } from "../store/shards.js";
import { asArray, asBytes, asInt, asText } from "../store/replies.js";
import { textFromBytes } from "../text/bytes.js";
import type { KeySpace } from "./keys.js";
import { plural } from "../text/plural.js";

export const LANGCHAIN_PYTHON_PREFIX = "message_store:";
/** The bound: requests a search may send (each carries one SCAN page). */
export const SEARCH_REQUESTS = 2;
/** Keys asked for per SCAN page (Upstash answers with about 1,000 whatever it is asked). */
const SCAN_COUNT = 5000;
/** Matches reported one by one; more are only counted. */
export const LISTED_LIMIT = 10;
/** Edit distance (fastest-levenshtein's), loaded only when a session is missing. */
export type EditDistance = (a: string, b: string) => number;

/** Ids shorter than this would "contain" or "be contained in" far too many keys. */
const MIN_CONTAINS = 3;
const MIN_CONTAINED = 4;

export interface NearMiss {
  key: string;
  /** How it differs: "prefix message_store:", "other case", "1 character different", ... */
  reason: string;
  /** Redis type ("list" for every key the scan finds). */
  type: string;
  /** Messages, when known (a match on the last SCAN page is not measured). */
  count?: number;
}

export interface NearMissSearch {
  /** Best first, at most LISTED_LIMIT. */
  found: NearMiss[];
  /** Further matches, not listed. */
  unlisted: number;
  /** False when the token may not SCAN: only the usual variants were checked. */
  scanned: boolean;
  scannedKeys: number;
  /** False when the bound stopped the scan before the end of the keyspace. */
  complete: boolean;
}

interface Scored {
  key: string;
  reason: string;
  /** 0 same id (prefix/case/whitespace), 1 a typo away, 2 contains / contained. */
  rank: number;
  distance: number;
}

/** The usual variants of a key, checked directly: prefix, case, whitespace. */
export function nearMissCandidates(sessionId: string, keys: KeySpace): string[] {
  const ids = new Set([sessionId, sessionId.trim()]);
  for (const id of [...ids]) ids.add(id.toLowerCase()).add(id.toUpperCase());
  const out = new Set<string>();
  for (const id of ids) {
    out.add(keys.key(id));
    if (keys.prefix !== LANGCHAIN_PYTHON_PREFIX) out.add(LANGCHAIN_PYTHON_PREFIX + id);
    if (keys.prefix) out.add(id);
  }
  out.delete(keys.key(sessionId));
  out.delete("");
  return [...out];
}

/** Most edits a typo may take: 1 for short ids, up to 3 for long ones. */
function maxEdits(a: string, b: string): number {
  return Math.min(3, Math.max(1, Math.floor(Math.max(a.length, b.length) / 5)));
}

/**
 * How `key` differs from the key of `sessionId`, or undefined when it is no
 * near miss. Every match is described here, however it was found, so the
 * wording is the same everywhere.
 */
export function scoreKey(key: string, sessionId: string, keys: KeySpace, distance: EditDistance): Scored | undefined {
  if (key === keys.key(sessionId)) return undefined;
  const parts: string[] = [];
  let id = key;
  if (keys.prefix !== LANGCHAIN_PYTHON_PREFIX && id.startsWith(LANGCHAIN_PYTHON_PREFIX)) {
    parts.push(`prefix ${LANGCHAIN_PYTHON_PREFIX}`);
    id = id.slice(LANGCHAIN_PYTHON_PREFIX.length);
  } else if (keys.prefix && id.startsWith(keys.prefix)) {
    id = id.slice(keys.prefix.length);
  } else if (keys.prefix) {
    parts.push("no prefix");
  }
  const found = id.trim().toLowerCase();
  const wanted = sessionId.trim().toLowerCase();
  const scored = (reason: string, rank: number, d = 0): Scored => ({
    key,
    reason: [...parts, reason].filter(Boolean).join(", "),
    rank,
    distance: d,
  });
  if (found === wanted) {
    const how: string[] = [];
    if (id.trim() !== sessionId.trim()) how.push("other case");
    if (id !== id.trim()) how.push("surrounding whitespace");
    else if (sessionId !== sessionId.trim()) how.push("no whitespace around the id");
    return how.length || parts.length ? scored(how.join(", "), 0) : undefined;
  }
  // A typo only counts under the same prefix: elsewhere every short id is "close".
  if (!parts.length && Math.min(found.length, wanted.length) >= MIN_CONTAINS) {
    const d = distance(found, wanted);
    if (d <= maxEdits(found, wanted)) return scored(`${plural(d, "character")} different`, 1, d);
  }
  if (wanted.length >= MIN_CONTAINS && key.toLowerCase().includes(wanted))
    return { key, reason: "contains the id", rank: 2, distance: 0 };
  if (found.length >= MIN_CONTAINED && wanted.includes(found))
    return { key, reason: "part of the id", rank: 2, distance: 0 };
  return undefined;
}

function byRank(a: Scored, b: Scored): number {
  return a.rank - b.rank || a.distance - b.distance || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function ranked(keyList: Iterable<string>, sessionId: string, keys: KeySpace, distance: EditDistance): Scored[] {
  const out: Scored[] = [];
  for (const k of keyList) {
    const s = scoreKey(k, sessionId, keys, distance);
    if (s) out.push(s);
  }
  return out.sort(byRank);
}

function scanCommand(cursor: string): Cmd {
  // No MATCH: a typo or "contains" cannot be written as a glob. TYPE list
  // keeps other data out: only a list can be a chat history.
  return ["SCAN", cursor, "COUNT", SCAN_COUNT, "TYPE", "list"];
}

type ScanPage = { cursor: string; keys: string[] };

/** A SCAN page's cursor and keys, or undefined when the token may not SCAN. */
function scanPage(o: Outcome): ScanPage | undefined {
  if (!o.ok) return undefined;
  const [next, page] = asArray(o.value);
  return { cursor: asText(next), keys: asArray(page).map((k) => textFromBytes(asBytes(k))) };
}

/**
 * One round of the search: commands on keys go through the store, SCAN to
 * each node that still has keys to walk. One Redis (or Upstash) is one node:
 * the round is one request. A cluster's masters are asked in parallel.
 */
async function searchRound(
  store: Store,
  nodes: ScanNode[],
  keyCmds: Cmd[],
  cursors: (string | undefined)[],
): Promise<{ keyOutcomes: Outcome[]; pages: (ScanPage | undefined)[] }> {
  const pages: (ScanPage | undefined)[] = cursors.map(() => undefined);
  if (nodes.length === 1 && cursors[0] !== undefined) {
    const o = await nodes[0].pipeline([...keyCmds, scanCommand(cursors[0])], { idempotent: true });
    pages[0] = scanPage(o[o.length - 1]);
    return { keyOutcomes: o.slice(0, -1), pages };
  }
  const [keyOutcomes] = await Promise.all([
    keyCmds.length ? store.pipeline(keyCmds, { idempotent: true }) : Promise.resolve([]),
    ...nodes.map(async (n, i) => {
      if (cursors[i] !== undefined)
        pages[i] = scanPage((await n.pipeline([scanCommand(cursors[i]!)], { idempotent: true }))[0]);
    }),
  ]);
  return { keyOutcomes: keyOutcomes as Outcome[], pages };
}

/**
 * Near misses for each of `sessionIds` (which do not exist), in at most
 * SEARCH_REQUESTS rounds for all of them together (a round is one request,
 * or on a Redis Cluster one per master, in parallel).
 */
export async function findNearMisses(
  store: Store,
  keys: KeySpace,
  sessionIds: string[],
  opts: { scan?: boolean } = {},
): Promise<Map<string, NearMissSearch>> {
  // A CommonJS package: bundled, its exports sit on the default export.
  const lev: { distance?: EditDistance; default?: { distance: EditDistance } } = await import("fastest-levenshtein");
  const distance = lev.distance ?? lev.default!.distance;
  const wantedKeys = new Set(sessionIds.map((id) => keys.key(id)));
  const candidates = [...new Set(sessionIds.flatMap((id) => nearMissCandidates(id, keys)))].filter(
    (k) => !wantedKeys.has(k),
  );
  const nodes = opts.scan === false ? [] : (await scanNodesOf(store)).nodes;

  // Round one: the usual variants directly, and the first SCAN page of every node.
  const first = await searchRound(
    store,
    nodes,
    candidates.flatMap((k) => [
      ["TYPE", k],
      ["LLEN", k],
    ]),
    nodes.map(() => "0"),
  );
  const direct = new Map<string, { type: string; count?: number }>();
  candidates.forEach((k, i) => {
    const t = first.keyOutcomes[2 * i];
    const type = t?.ok ? asText(t.value) : "none";
    if (type === "none") return;
    const l = first.keyOutcomes[2 * i + 1];
    direct.set(k, { type, count: type === "list" && l.ok ? asInt(l.value) : undefined });
  });

  // A token that may not SCAN (Upstash's read-only one) still gets the usual variants.
  const scanned = nodes.length > 0 && first.pages.every((p) => p !== undefined);
  const seen = new Set<string>();
  let scannedKeys = 0;
  const take = (pages: (ScanPage | undefined)[]) => {
    for (const p of pages) {
      scannedKeys += p?.keys.length ?? 0;
      for (const k of p?.keys ?? []) if (!wantedKeys.has(k) && !direct.has(k)) seen.add(k);
    }
  };
  take(first.pages);
  const firstPage = new Set(seen);

  // Round two: the next pages, and the size of what round one found.
  const toMeasure = [
    ...new Set(
      sessionIds.flatMap((id) =>
        ranked(firstPage, id, keys, distance)
          .slice(0, LISTED_LIMIT)
          .map((m) => m.key),
      ),
    ),
  ];
  const next = first.pages.map((p) => (p && p.cursor !== "0" ? p.cursor : undefined));
  const counts = new Map<string, number>();
  let last = first.pages;
  if (toMeasure.length || next.some((c) => c !== undefined)) {
    const second = await searchRound(
      store,
      nodes,
      toMeasure.map((k) => ["LLEN", k]),
      next,
    );
    for (const [i, k] of toMeasure.entries()) {
      if (second.keyOutcomes[i]?.ok) counts.set(k, asInt(second.keyOutcomes[i].value));
    }
    take(second.pages);
    last = first.pages.map((p, i) => (next[i] === undefined ? p : second.pages[i]));
  }
  const complete = scanned && last.every((p) => p?.cursor === "0");

  const result = new Map<string, NearMissSearch>();
  for (const id of sessionIds) {
    const matches = ranked([...direct.keys(), ...seen], id, keys, distance);
    const found = matches.slice(0, LISTED_LIMIT).map((m) => ({
      key: m.key,
      reason: m.reason,
      type: direct.get(m.key)?.type ?? "list",
      count: direct.has(m.key) ? direct.get(m.key)!.count : counts.get(m.key),
    }));
    result.set(id, { found, unlisted: matches.length - found.length, scanned, scannedKeys, complete });
  }
  return result;
}

/** The search for one id. */
export async function findNearMissesOf(
  store: Store,
  keys: KeySpace,
  sessionId: string,
  opts: { scan?: boolean } = {},
): Promise<NearMissSearch> {
  return (await findNearMisses(store, keys, [sessionId], opts)).get(sessionId)!;
}

/** What a near miss holds: "3 messages", "a string, not a chat history", "a chat history". */
export function holds(m: NearMiss): string {
  if (m.type !== "list") return `a ${m.type}, not a chat history`;
  return m.count === undefined ? "a chat history" : plural(m.count, "message");
}

/** One line for stderr: "did you mean 'user-42' (1 character different, 3 messages)?" */
export function describeNearMisses(search: NearMissSearch, keys: KeySpace, shown = 3): string | undefined {
  if (!search.found.length) return undefined;
  const parts = search.found.slice(0, shown).map((m) => {
    const id = m.key.startsWith(keys.prefix) ? keys.sessionId(m.key) : m.key;
    // A key without the prefix is reached only by dropping it: say how.
    const reach = m.reason.split(", ").includes("no prefix") ? '; reach it with --prefix ""' : "";
    return `'${id}' (${m.reason}, ${holds(m)}${reach})`;
  });
  const rest = search.found.length - shown + search.unlisted;
  return `did you mean ${parts.join(", ")}${rest > 0 ? ` or ${rest} more` : ""}?`;
}

/** "no such session; did you mean ...?" for each missing id, from one bounded search for all. */
export async function missingNotes(store: Store, keys: KeySpace, sessionIds: string[]): Promise<Map<string, string>> {
  const notes = new Map<string, string>();
  if (!sessionIds.length) return notes;
  const searches = await findNearMisses(store, keys, sessionIds);
  for (const id of sessionIds) {
    const hint = describeNearMisses(searches.get(id)!, keys);
    notes.set(id, hint ? `no such session; ${hint}` : "no such session");
  }
  return notes;
}
