// The session list: a table on a terminal, tab-separated lines in a pipe,
// JSON or NDJSON for scripts.
import type { SessionTokens } from "../tokens/sessions.js";
import { showTokens } from "../tokens/count.js";
import type { SessionInfo } from "../sessions/scan.js";
import { formatTtl } from "../duration/duration.js";
import type { Output } from "./output.js";
import { printTable } from "./table.js";
import { clip, sanitizeLine, shellArg } from "../text/sanitize.js";
import { showBytes } from "../text/bytes.js";
import type { OtherTypes } from "../sessions/list-notes.js";
import { keyFields } from "../sessions/keys.js";
import { hasEscapedBytes } from "../text/bytes.js";
import { groupDigits, plural } from "../text/plural.js";

export function sessionJson(s: SessionInfo): Record<string, unknown> {
  const base: Record<string, unknown> = hasEscapedBytes(s.key)
    ? { ...keyFields(s.sessionId, s.key), count: s.count, ttlSeconds: s.ttlSeconds, last: s.last }
    : { sessionId: s.sessionId, key: s.key, count: s.count, ttlSeconds: s.ttlSeconds, last: s.last };
  // --tokens: the chat total, how sure it is, and its share of the model's window.
  const t = s as Partial<SessionTokens>;
  if (t.tokens !== undefined)
    Object.assign(base, { tokens: t.tokens, estimated: t.estimated, windowShare: t.windowShare });
  return base;
}

/** With --tokens: "≈1,234" and "12%" for the table and TSV columns. */
function tokenCells(s: SessionInfo): [string, string] | [] {
  const t = s as Partial<SessionTokens>;
  if (t.tokens === undefined) return [];
  const share = t.windowShare === null || t.windowShare === undefined ? "" : `${Math.round(t.windowShare * 100)}%`;
  return [showTokens(t.tokens, Boolean(t.estimated)), share];
}

/**
 * One session as a tab-separated line (piped output): id, count, TTL, role,
 * newest message. Newlines and tabs are escaped (\n, \t) by the TSV writer,
 * as the README says, not collapsed.
 */
export function sessionTsvFields(s: SessionInfo): (string | number)[] {
  return [
    s.sessionId,
    s.count,
    s.ttlSeconds ?? "never",
    s.last?.role ?? "",
    clip(s.last?.content ?? "", 200),
    ...tokenCells(s),
  ];
}

/** Sessions as tab-separated lines (piped output), a page per write. */
export function sessionTsvLines(out: Output, sessions: readonly SessionInfo[]): Promise<void> | void {
  return out.tsvLines(sessions.map(sessionTsvFields));
}

/**
 * What the list suggests afterwards: the separator a prefix lacks (every id
 * then starts with it), or, when nothing was listed, the keys the pattern
 * matched that are not chat histories.
 */
export function listNotes(
  out: Output,
  o: { pattern: string; suggestedPrefix?: string; others?: OtherTypes; prefix: string },
): void {
  if (o.suggestedPrefix !== undefined) {
    const sep = o.suggestedPrefix.slice(o.prefix.length);
    out.warn(
      `warning: every id starts with '${sanitizeLine(sep)}': did you mean --prefix ${sanitizeLine(shellArg(o.suggestedPrefix))}?`,
    );
  }
  if (o.others?.count) {
    const n = o.others.count;
    const more = n >= 100 ? "at least " : "";
    const eg = o.others.examples.map((x) => `${sanitizeLine(showBytes(x.sessionId))}: a ${x.type}`).join(", ");
    out.warn(
      `${more}${plural(n, "key")} ${n === 1 ? "matches" : "match"} '${sanitizeLine(o.pattern)}' but ${n === 1 ? "is not a chat history" : "are not chat histories"} (${eg})`,
    );
  }
}

/** --limit cut the list: say how much is not shown. */
export function cutNote(shown: number, found: number, complete: boolean): string {
  return `showing ${groupDigits(shown)} of ${complete ? "" : "at least "}${plural(found, "session")}`;
}

export async function renderSessionTable(out: Output, sessions: SessionInfo[], cut = false): Promise<void> {
  if (!out.tty) return sessionTsvLines(out, sessions);
  if (!sessions.length) {
    out.warn("no sessions found");
    return;
  }
  const s = await out.styles();
  const withTokens = sessions.some((x) => (x as Partial<SessionTokens>).tokens !== undefined);
  const rows = sessions.map((x) => [
    sanitizeLine(x.sessionId),
    String(x.count),
    ...tokenCells(x),
    formatTtl(x.ttlSeconds),
    x.last
      ? [
          { text: sanitizeLine(x.last.role), style: s.role(x.last.role) },
          { text: `: ${sanitizeLine(x.last.content.slice(0, 4000))}` },
        ]
      : "",
  ]);
  await printTable(out, {
    columns: [
      { header: "session", keep: true },
      { header: "messages", align: "right" },
      ...(withTokens
        ? [
            { header: "tokens", align: "right" as const },
            { header: "window", align: "right" as const },
          ]
        : []),
      { header: "ttl" },
      { header: "last message", flex: true },
    ],
    rows,
    headerStyle: s.dim,
  });
  if (!cut) out.warn(plural(sessions.length, "session"));
}
