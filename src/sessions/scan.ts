// Scanning chat sessions at a bounded request cost: each request carries the
// per-key commands for the previous SCAN page *and* the next SCAN, so N keys
// cost about N/1000 + 1 HTTP requests (Upstash returns ~1000 keys per SCAN
// whatever COUNT says). `sessions list`, `export`, `expire --match` and
// `clear --match` all scan through here.
import type { Store, Cmd, Outcome } from "../store/types.js";
import { asArray, asBytes, asInt, asText, unwrap } from "../store/replies.js";
import { ttlFromReply } from "../duration.js";
import { decodeElement } from "../history/codec.js";
import type { KeySpace } from "../keys.js";
import { ConnectionError } from "../errors.js";
import { boundHeapGrowth } from "../memory.js";
import { textFromBytes } from "../store/bytes.js";

export interface SessionInfo {
  sessionId: string;
  key: string;
  count: number;
  ttlSeconds: number | null;
  last: { role: string; content: string } | null;
}

export interface ScanOptions {
  pattern?: string;
  /** COUNT hint per SCAN call. */
  count?: number;
  /** Called with the number of matching keys found so far. */
  onProgress?: (scanned: number) => void;
}

export interface KeyPlan<T> {
  /** Commands to send for one key, in the same request as the next SCAN. */
  commands(key: string): Cmd[];
  /** Their outcomes → a result, or null to skip the key. */
  read(key: string, outcomes: Outcome[]): T | null;
}

/** Upper bound for the adaptive COUNT hint (Upstash caps pages itself). */
const MAX_SCAN_COUNT = 16_000;

function scanCommand(cursor: string, match: string, count: number): Cmd {
  return ["SCAN", cursor, "MATCH", match, "COUNT", count, "TYPE", "list"];
}

/** Scans list keys matching the pattern and runs `plan` on each, page by page. */
export async function* scanKeys<T>(store: Store, keySpace: KeySpace, plan: KeyPlan<T>, opts: ScanOptions = {}): AsyncGenerator<T[]> {
  await boundHeapGrowth();
  const match = keySpace.match(opts.pattern ?? "*");
  let count = opts.count ?? 1000;
  let cursor = "0";
  let pending: string[] = [];
  let found = 0;
  let done = false;
  while (!done || pending.length) {
    const perKey = pending.map((k) => plan.commands(k));
    const cmds = perKey.flat();
    if (!done) cmds.push(scanCommand(cursor, match, count));
    let outcomes: Outcome[];
    try {
      outcomes = await store.pipeline(cmds, { idempotent: true });
    } catch (err) {
      throw explainNoScan(err);
    }
    const page: T[] = [];
    let at = 0;
    pending.forEach((key, i) => {
      const n = perKey[i].length;
      const result = plan.read(key, outcomes.slice(at, at + n));
      at += n;
      if (result !== null) page.push(result);
    });
    pending = [];
    if (!done) {
      const scan = outcomes[outcomes.length - 1];
      if (!scan.ok) throw explainNoScan(scan.error);
      const [next, keys] = asArray(scan.value);
      cursor = asText(next);
      pending = asArray(keys).map((k) => textFromBytes(asBytes(k)));
      found += pending.length;
      // A pattern that matches few keys of a large keyspace: look at more keys
      // per call so the request count follows the matches, not the keyspace.
      if (pending.length < count / 4) count = Math.min(count * 2, MAX_SCAN_COUNT);
      done = cursor === "0";
      opts.onProgress?.(found);
    }
    if (page.length) yield page;
  }
}

/** What a session is without its messages: enough to sort 100,000 of them in little memory. */
export type SessionMeta = Omit<SessionInfo, "last">;

/** LLEN and TTL of each session. */
export function sessionMetaPlan(keySpace: KeySpace): KeyPlan<SessionMeta> {
  return {
    commands: (k) => [["LLEN", k], ["TTL", k]],
    read(key, o) {
      if (!o[0].ok || !o[1].ok) return null; // changed type between SCAN and now
      const ttl = asInt(o[1].value);
      const count = asInt(o[0].value);
      if (ttl === -2 || count === 0) return null; // deleted or expired meanwhile
      return { sessionId: keySpace.sessionId(key), key, count, ttlSeconds: ttlFromReply(ttl) };
    },
  };
}

/** The newest message out of an LINDEX 0 reply. */
export function newestMessage(o: Outcome, count: number): SessionInfo["last"] {
  const newest = o.ok && o.value !== null ? decodeElement(asBytes(o.value), count) : null;
  return newest ? { role: newest.role, content: newest.content } : null;
}

/** LLEN, TTL and the newest element of each session. */
export function sessionInfoPlan(keySpace: KeySpace): KeyPlan<SessionInfo> {
  const meta = sessionMetaPlan(keySpace);
  return {
    commands: (k) => [...meta.commands(k), ["LINDEX", k, 0]],
    read(key, o) {
      const m = meta.read(key, o);
      return m && { ...m, last: newestMessage(o[2], m.count) };
    },
  };
}

export function scanSessions(store: Store, keySpace: KeySpace, opts: ScanOptions = {}): AsyncGenerator<SessionInfo[]> {
  return scanKeys(store, keySpace, sessionInfoPlan(keySpace), opts);
}

function explainNoScan(err: unknown): unknown {
  const text = typeof err === "string" ? err : err instanceof Error ? err.message : "";
  if (/NOPERM/.test(text)) {
    return new ConnectionError(
      "this token cannot list sessions: Upstash read-only tokens may not run SCAN",
      "use the standard (read-write) token to list; `history show <id>` works with a read-only token",
    );
  }
  if (typeof err === "string") {
    try {
      unwrap({ ok: false, error: err });
    } catch (e) {
      return e;
    }
  }
  return err;
}
