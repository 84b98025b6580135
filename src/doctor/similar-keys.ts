// Keys that look like the one asked for, beyond the fixed candidates of
// history/near-miss.ts: a key that contains the id (the app adds a user or
// chat prefix), a key the id contains (the app uses a shorter id), the same id
// in mixed case or with whitespace around it. Only a full SCAN finds these,
// so it is bounded: a large database is searched in part, and the report says
// so rather than taking minutes or thousands of requests.
import type { Store } from "../store/types.js";
import { scanNodesOf } from "../store/shards.js";
import { asArray, asInt, asText, unwrap } from "../store/replies.js";
import type { KeySpace } from "../keys.js";
import { LANGCHAIN_PYTHON_PREFIX } from "../history/near-miss.js";
import { isValidUtf8 } from "../history/codec.js";

export const SCAN_CALL_LIMIT = 20;
export const SCAN_KEY_LIMIT = 20_000;
/** Matches reported one by one; more are only counted. */
export const LISTED_LIMIT = 10;

export interface SimilarKey {
  key: string;
  reason: string;
  count: number;
}

export interface SimilarKeySearch {
  found: SimilarKey[];
  /** Matches beyond LISTED_LIMIT, not listed. */
  unlisted: number;
  scannedKeys: number;
  scanCalls: number;
  /** False when a bound stopped the scan before the end of the keyspace. */
  complete: boolean;
}

/** Ids shorter than this would "contain" or "be contained in" far too many keys. */
const MIN_CONTAINS = 3;
const MIN_CONTAINED = 4;

/**
 * How `key` differs from the key of `sessionId` ("prefix message_store:, other
 * case"), or undefined when it is not a near miss. Used for every near miss,
 * whichever search found it, so the wording is the same for all of them.
 */
export function nearMissReason(key: string, sessionId: string, keys: KeySpace): string | undefined {
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
  if (id.trim() !== sessionId.trim() && id.trim().toLowerCase() === sessionId.trim().toLowerCase()) parts.push("other case");
  if (id.trim().toLowerCase() === sessionId.trim().toLowerCase()) {
    if (id !== id.trim()) parts.push("surrounding whitespace");
    else if (sessionId !== sessionId.trim()) parts.push("no whitespace around the id");
    return parts.length ? parts.join(", ") : undefined;
  }
  const wanted = sessionId.trim().toLowerCase();
  if (wanted.length >= MIN_CONTAINS && key.toLowerCase().includes(wanted)) return "contains the id";
  const found = id.trim().toLowerCase();
  if (found.length >= MIN_CONTAINED && wanted.includes(found)) return "part of the id";
  return undefined;
}

export async function searchSimilarKeys(store: Store, keys: KeySpace, sessionId: string, exclude: Set<string>): Promise<SimilarKeySearch> {
  const matches: { key: string; reason: string }[] = [];
  // Every master of a cluster holds part of the keys: walk them one after the other.
  const nodes = (await scanNodesOf(store)).nodes;
  let node = 0;
  let more = true;
  let cursor = "0";
  let scannedKeys = 0;
  let scanCalls = 0;
  do {
    // No MATCH: "a key the id contains" cannot be written as a glob. TYPE list
    // keeps other data out: only a list can be a chat history.
    const [o] = await nodes[node].pipeline([["SCAN", cursor, "COUNT", 1000, "TYPE", "list"]], { idempotent: true });
    const [next, page] = asArray(unwrap(o));
    cursor = asText(next);
    scanCalls++;
    for (const k of asArray(page)) {
      scannedKeys++;
      // A key that is not UTF-8 cannot be a session id anyone typed.
      if (!Buffer.isBuffer(k) || !isValidUtf8(k)) continue;
      const key = asText(k);
      if (exclude.has(key)) continue;
      const reason = nearMissReason(key, sessionId, keys);
      if (reason) matches.push({ key, reason });
    }
    if (cursor === "0") more = ++node < nodes.length;
  } while (more && scanCalls < SCAN_CALL_LIMIT && scannedKeys < SCAN_KEY_LIMIT);

  const listed = matches.slice(0, LISTED_LIMIT);
  const counts = listed.length ? await store.pipeline(listed.map((m) => ["LLEN", m.key]), { idempotent: true }) : [];
  return {
    found: listed.map((m, i) => ({ ...m, count: counts[i].ok ? asInt(counts[i].value) : 0 })),
    unlisted: matches.length - listed.length,
    scannedKeys,
    scanCalls,
    complete: !more,
  };
}
