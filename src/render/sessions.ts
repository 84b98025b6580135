// The session list: a table on a terminal, tab-separated lines in a pipe,
// JSON or NDJSON for scripts.
import type { SessionInfo } from "../sessions/scan.js";
import { formatTtl } from "../duration.js";
import type { Output } from "./output.js";
import { drawTable } from "./table.js";
import { sanitizeLine, snippet } from "./sanitize.js";
import { keyFields } from "../keys.js";

export function sessionJson(s: SessionInfo): Record<string, unknown> {
  return { ...keyFields(s.sessionId, s.key), count: s.count, ttlSeconds: s.ttlSeconds, last: s.last };
}

export async function renderSessionTable(out: Output, sessions: SessionInfo[]): Promise<void> {
  if (!out.tty) {
    for (const s of sessions) {
      await out.tsv([s.sessionId, s.count, s.ttlSeconds ?? "never", s.last?.role ?? "", snippet(s.last?.content ?? "", 200)]);
    }
    return;
  }
  if (!sessions.length) {
    out.warn("no sessions found");
    return;
  }
  const s = await out.styles();
  const idWidth = Math.min(Math.max(...sessions.map((x) => x.sessionId.length), 7) + 2, 40);
  const rows = sessions.map((x) => [
    sanitizeLine(x.sessionId),
    String(x.count),
    formatTtl(x.ttlSeconds),
    x.last ? `${s.role(x.last.role)(sanitizeLine(x.last.role))}: ${snippet(x.last.content, 200)}` : "",
  ]);
  await out.line(await drawTable({ head: ["session", "messages", "ttl", "last message"], rows, widths: [idWidth, 10, 10, 0], totalWidth: out.columns }));
  out.warn(`${sessions.length} session${sessions.length === 1 ? "" : "s"}`);
}
