// The session list: a table on a terminal, tab-separated lines in a pipe,
// JSON or NDJSON for scripts.
import type { SessionInfo } from "../sessions/scan.js";
import { formatTtl } from "../duration/duration.js";
import type { Output } from "./output.js";
import { printTable } from "./table.js";
import { clip, sanitizeLine } from "../text/sanitize.js";
import { keyFields } from "../sessions/keys.js";
import { groupDigits, plural } from "../text/plural.js";

export function sessionJson(s: SessionInfo): Record<string, unknown> {
  return { ...keyFields(s.sessionId, s.key), count: s.count, ttlSeconds: s.ttlSeconds, last: s.last };
}

/**
 * One session as a tab-separated line (piped output): id, count, TTL, role,
 * newest message. Newlines and tabs are escaped (\n, \t) by the TSV writer,
 * as the README says, not collapsed.
 */
export function sessionTsv(out: Output, s: SessionInfo): Promise<void> | void {
  return out.tsv([s.sessionId, s.count, s.ttlSeconds ?? "never", s.last?.role ?? "", clip(s.last?.content ?? "", 200)]);
}

/** --limit cut the list: say how much is not shown. */
export function cutNote(shown: number, found: number, complete: boolean): string {
  return `showing ${groupDigits(shown)} of ${complete ? "" : "at least "}${plural(found, "session")}`;
}

export async function renderSessionTable(out: Output, sessions: SessionInfo[], cut = false): Promise<void> {
  if (!out.tty) {
    for (const s of sessions) await sessionTsv(out, s);
    return;
  }
  if (!sessions.length) {
    out.warn("no sessions found");
    return;
  }
  const s = await out.styles();
  const rows = sessions.map((x) => [
    sanitizeLine(x.sessionId),
    String(x.count),
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
      { header: "ttl" },
      { header: "last message", flex: true },
    ],
    rows,
    headerStyle: s.dim,
  });
  if (!cut) out.warn(plural(sessions.length, "session"));
}
