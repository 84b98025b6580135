// Listing sessions at a bounded request cost: each request carries the
// metadata of the previous SCAN page *and* the next SCAN, so N keys cost about
// N/1000 + 1 HTTP requests (Upstash returns ~1000 keys per SCAN whatever COUNT says).
import type { Store, Cmd, Outcome } from "../store/types.js";
import { asArray, asBytes, asInt, asText, unwrap } from "../store/replies.js";
import { ttlFromReply } from "../duration.js";
import { decodeElement } from "../history/codec.js";
import type { KeySpace } from "../keys.js";
import { ConnectionError } from "../errors.js";

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
  /** Called with the number of keys scanned so far. */
  onProgress?: (scanned: number) => void;
}

const PER_KEY = 3;

function scanCommand(cursor: string, match: string, count: number): Cmd {
  return ["SCAN", cursor, "MATCH", match, "COUNT", count, "TYPE", "list"];
}

function metaCommands(keys: string[]): Cmd[] {
  return keys.flatMap((k) => [["LLEN", k], ["TTL", k], ["LINDEX", k, 0]] as Cmd[]);
}

function toInfo(keySpace: KeySpace, key: string, o: Outcome[]): SessionInfo | null {
  if (!o[0].ok || !o[1].ok) return null; // changed type between SCAN and now
  const ttl = asInt(o[1].value);
  const count = asInt(o[0].value);
  if (ttl === -2 || count === 0) return null; // deleted or expired meanwhile
  const newest = o[2].ok && o[2].value !== null ? decodeElement(asBytes(o[2].value), count) : null;
  return {
    sessionId: keySpace.sessionId(key),
    key,
    count,
    ttlSeconds: ttlFromReply(ttl),
    last: newest ? { role: newest.role, content: newest.content } : null,
  };
}

/** Yields sessions page by page, as the scan goes. */
export async function* scanSessions(store: Store, keySpace: KeySpace, opts: ScanOptions = {}): AsyncGenerator<SessionInfo[]> {
  const match = keySpace.match(opts.pattern ?? "*");
  const count = opts.count ?? 1000;
  let cursor = "0";
  let pending: string[] = [];
  let scanned = 0;
  let done = false;
  while (!done || pending.length) {
    const cmds = metaCommands(pending);
    if (!done) cmds.push(scanCommand(cursor, match, count));
    let outcomes: Outcome[];
    try {
      outcomes = await store.pipeline(cmds, { idempotent: true });
    } catch (err) {
      throw explainNoScan(err);
    }
    const page: SessionInfo[] = [];
    pending.forEach((key, i) => {
      const info = toInfo(keySpace, key, outcomes.slice(i * PER_KEY, i * PER_KEY + PER_KEY));
      if (info) page.push(info);
    });
    pending = [];
    if (!done) {
      const scan = outcomes[outcomes.length - 1];
      if (!scan.ok) throw explainNoScan(scan.error);
      const [next, keys] = asArray(scan.value);
      cursor = asText(next);
      pending = asArray(keys).map((k) => asText(k));
      scanned += pending.length;
      done = cursor === "0";
      opts.onProgress?.(scanned);
    }
    if (page.length) yield page;
  }
}

function explainNoScan(err: unknown): unknown {
  const text = typeof err === "string" ? err : err instanceof Error ? err.message : "";
  if (/NOPERM/.test(text)) {
    return new ConnectionError(
      "this token cannot list sessions: Upstash read-only tokens may not run SCAN",
      "use the standard (read-write) token to list; `history show <id>` works with a read-only token",
    );
  }
  return typeof err === "string" ? unwrap({ ok: false, error: err }) : err;
}
