// Results of the commands that change data: one line per session on stderr
// for people, JSON on stdout for scripts.
import { formatTtl } from "../duration/duration.js";
import type { Output } from "./output.js";
import type { Target } from "../write/targets.js";
import type { ImportMode, ImportResult } from "../transfer/import.js";
import type { AppendResult } from "../write/append.js";
import type { ClearResult } from "../write/clear.js";
import { showBytes } from "../text/bytes.js";
import { keyFields } from "../sessions/keys.js";
import { sanitizeEcho, sanitizeLine } from "../text/sanitize.js";

export { plural } from "../text/plural.js";
import { plural } from "../text/plural.js";

/** "delete 3 sessions, 214 messages" */
export function describeTargets(verb: string, targets: Target[]): string {
  const messages = targets.reduce((a, t) => a + t.count, 0);
  return `${verb} ${plural(targets.length, "session")}, ${plural(messages, "message")}`;
}

/** `expire --dry-run`: the same words as the real run, with "would"; --json shaped like `clear --dry-run --json`. */
export function expireDryRunJson(targets: Target[], missing: string[], notLists: string[], ttl: number | "persist") {
  return {
    wouldSet: targets.map((t) => ({
      ...keyFields(t.sessionId, t.key),
      count: t.count,
      ttlSeconds: t.ttlSeconds,
      newTtlSeconds: ttl === "persist" ? null : ttl,
    })),
    missing: missing.map(showBytes),
    notLists: notLists.map(showBytes),
  };
}

export async function expireDryRun(
  out: Output,
  o: {
    what: string;
    pattern?: string;
    targets: Target[];
    ttl: number | "persist";
    json?: boolean;
    missing?: string[];
    notLists?: string[];
  },
): Promise<void> {
  const matching = o.pattern === undefined ? "" : ` (matching '${sanitizeLine(o.pattern)}')`;
  out.warn(`would ${o.what}${matching}`);
  if (o.json) await out.json(expireDryRunJson(o.targets, o.missing ?? [], o.notLists ?? [], o.ttl));
  else await listTargets(out, o.targets);
}

/** One session whose TTL was set: `user-42  2h` on a terminal, `user-42<TAB>7200` piped (seconds for scripts). */
export async function expiredLine(out: Output, sessionId: string, ttlSeconds: number | null): Promise<void> {
  if (out.tty) await out.line(`${sanitizeLine(sessionId)}  ${formatTtl(ttlSeconds)}`);
  else await out.tsv([sessionId, ttlSeconds === null ? "never" : ttlSeconds]);
}

export async function listTargets(out: Output, targets: Target[]): Promise<void> {
  for (const t of targets) await out.tsv([t.sessionId, t.count, t.ttlSeconds ?? "never"]);
}

/**
 * Every --match that matches no session says so this way: one line on stderr,
 * exit 0 (nothing to do is not a failure), and --json prints its usual, empty,
 * result.
 */
/** A dry run with --backup: the real run would save these sessions there first (the path is already checked). */
export function warnWouldBackUp(out: Output, sessions: number, backupPath: string | undefined): void {
  if (backupPath !== undefined && sessions > 0)
    out.warn(`would back up ${plural(sessions, "session")} to ${sanitizeLine(backupPath)} first`);
}

export function warnNoMatch(out: Output, pattern: string): void {
  out.warn(`no sessions match '${sanitizeLine(pattern)}'`);
}

/**
 * What `expire` cannot promise: an app with its own timeout (Flowise's Session
 * Timeout, LangChain's sessionTTL) runs EXPIRE with it after every message it
 * stores; an app without one never touches the TTL.
 */
export function appTimeoutNote(persist: boolean): string {
  return `note: an app with its own timeout (Flowise's Session Timeout, LangChain's sessionTTL) overrides this TTL at its next message${persist ? ", which undoes --persist" : ""}; an app without one leaves it as set`;
}

/** `append --json`. */
export function appendJson(sessionId: string, key: string, r: AppendResult): Record<string, unknown> {
  return { sessionId, key, count: r.count, ttlSeconds: r.ttlSeconds, applied: r.applied };
}

/** `expire --json`: one entry per session asked for. */
export function expireJson(rows: { sessionId: string; key: string; status: string; ttlSeconds: number | null }[]) {
  return rows.map((x) => ({ ...keyFields(x.sessionId, x.key), status: x.status, ttlSeconds: x.ttlSeconds }));
}

/** `clear --json` after a run: what was deleted, kept (changed since listed) and not there. */
export function clearJson(result: ClearResult, missing: string[]): Record<string, unknown> {
  return {
    deleted: result.deleted.map((t) => ({ ...keyFields(t.sessionId, t.key), count: t.count })),
    changed: result.changed.map((t) => showBytes(t.sessionId)),
    missing: [...missing, ...result.gone.map((t) => showBytes(t.sessionId))],
  };
}

export function ttlText(ttl: number | null): string {
  return ttl === null ? "no TTL (never expires)" : `TTL ${formatTtl(ttl)}`;
}

export function sessionLine(sessionId: string, text: string): string {
  return `${sanitizeLine(sessionId)}: ${sanitizeEcho(text)}`;
}

/** What an import did, or with --dry-run would do: the same words and the same JSON. */
export function importReport(results: ImportResult[], mode: ImportMode, dryRun: boolean) {
  // A key that is not UTF-8 shows its bytes as \xff.
  const keys = (status: ImportResult["status"]) =>
    results.filter((x) => x.status === status).map((x) => showBytes(x.key));
  const json = { written: keys("written"), skipped: keys("skipped"), notLists: keys("not-a-list") };
  const warnings = json.notLists.map((k) =>
    sessionLine(k, `exists and is not a chat history: ${dryRun ? "would be left" : "left"} unchanged`),
  );
  const hint = json.skipped.length && mode === "skip" ? " (use --replace or --merge)" : "";
  const [imported, skipped] = dryRun ? ["dry run: would import", "would skip"] : ["imported", "skipped"];
  // --merge adds only what is missing: say how much that was, 0 included.
  const added = results.reduce((n, x) => n + (x.status === "written" ? x.added : 0), 0);
  const merged = mode === "merge" && !dryRun ? ` (${plural(added, "message")} added)` : "";
  const summary = `${imported} ${plural(json.written.length, "session")}${merged}; ${skipped} ${json.skipped.length} that already exist${hint}`;
  return { json, warnings, summary };
}
