// `search` hits: on a terminal the session, the message's number and role, and
// a one-line snippet around the match with the match highlighted; piped, one
// tab-separated line per hit (session, index, role, content); JSON as found.
import type { Query } from "../search/query.js";
import type { SearchHit, SearchSummary } from "../search/search.js";
import type { Output } from "./output.js";
import { sanitizeLine, shellArg } from "../text/sanitize.js";
import { plural } from "../text/plural.js";
import { textWidth } from "../text/text-width.js";

/** The part of a one-line text around its match, at most `width` characters, the match marked. */
export function snippetAround(
  line: string,
  query: Query,
  width: number,
): { before: string; match: string; after: string } {
  const at = query.find(line);
  const chars = Array.from(line);
  if (!at)
    return { before: chars.length > width ? `${chars.slice(0, width - 1).join("")}…` : line, match: "", after: "" };
  const start = Array.from(line.slice(0, at.start)).length;
  const end = start + Array.from(line.slice(at.start, at.end)).length;
  const room = Math.max(width - (end - start), 0);
  // A third of the room before the match, the rest after.
  let from = Math.max(0, start - Math.floor(room / 3));
  const to = Math.min(chars.length, from + width);
  from = Math.max(0, Math.min(from, to - width));
  const before = (from > 0 ? "…" : "") + chars.slice(from > 0 ? from + 1 : from, start).join("");
  const matchEnd = Math.min(end, to);
  const after = chars.slice(matchEnd, to < chars.length ? to - 1 : to).join("") + (to < chars.length ? "…" : "");
  return { before, match: chars.slice(start, matchEnd).join(""), after };
}

export async function renderHit(out: Output, hit: SearchHit, query: Query): Promise<void> {
  if (!out.tty) return out.tsv([hit.sessionId, hit.index, hit.role, hit.content]);
  const s = await out.styles();
  const head = `${sanitizeLine(hit.sessionId)}  #${hit.index}  ${hit.role}`;
  const lead = `${s.bold(sanitizeLine(hit.sessionId))}  ${s.dim(`#${hit.index}`)}  ${s.role(hit.role)(sanitizeLine(hit.role))}`;
  const tw = await textWidth();
  const width = Math.max(out.columns - tw.width(head) - 2, 20);
  const line = sanitizeLine(hit.content);
  // Characters first, then fewer while wide ones (CJK, emoji) make the line too wide for the terminal.
  let cut = snippetAround(line, query, width);
  for (let room = width, i = 0; i < 8; i++) {
    const over = tw.width(cut.before + cut.match + cut.after) - width;
    if (over <= 0) break;
    room = Math.max(room - Math.ceil(over / 2), 10);
    cut = snippetAround(line, query, room);
  }
  const { before, match, after } = cut;
  await out.line(`${lead}  ${before}${s.bold(s.warn(match))}${after}`);
}

/** What the user learns on stderr after the hits: none found, the limit reached, elements skipped. */
export function searchNotes(out: Output, text: string, summary: SearchSummary): void {
  if (summary.hits === 0)
    out.warn(`no messages match ${sanitizeLine(shellArg(text))} (${plural(summary.sessions, "session")} searched)`);
  if (!summary.complete) out.warn(`stopped after ${plural(summary.hits, "hit")} (--limit); there may be more`);
  if (summary.skipped > 0) {
    const one = summary.skipped === 1;
    out.warn(
      `note: ${plural(summary.skipped, "element")} that ${one ? "matches is not a chat message and was" : "match are not chat messages and were"} skipped (\`upstash-memory doctor <session>\` explains ${one ? "it" : "them"})`,
    );
  }
}
