// A conversation in each output format. JSON carries `raw` (the element exactly
// as stored); text formats are sanitised and never carry terminal escapes.
import type { DecodedMessage } from "../history/codec.js";
import { isValidUtf8 } from "../history/codec.js";
import { formatTtl } from "../duration/duration.js";
import type { Output } from "./output.js";
import { textWidth } from "../text/text-width.js";
import { safeJson, sanitizeLine, sanitizeMultiline, shellArg } from "../text/sanitize.js";
import { plural } from "../text/plural.js";
import type { HistoryTokens } from "../tokens/history.js";

export const HISTORY_FORMATS = ["table", "json", "ndjson", "markdown", "text"] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

export interface HistoryView {
  sessionId: string;
  key: string;
  count: number;
  ttlSeconds: number | null;
  messages: DecodedMessage[];
  /** With --tokens: every message counted for a model. */
  tokens?: HistoryTokens;
}

export function messageJson(m: DecodedMessage, tokens?: HistoryTokens): Record<string, unknown> {
  const out: Record<string, unknown> = { index: m.index, role: m.role, type: m.type, content: m.content, raw: m.raw };
  if (tokens) out.tokens = tokens.byIndex.get(m.index) ?? 0;
  // Bytes that are not UTF-8 cannot travel in a JSON string: add them exactly.
  if (!isValidUtf8(m.rawBytes)) out.rawBase64 = m.rawBytes.toString("base64");
  if (m.problem) out.problem = m.problem;
  if (m.notes) out.notes = m.notes;
  return out;
}

export function historyJson(v: HistoryView): Record<string, unknown> {
  const t = v.tokens;
  return {
    sessionId: v.sessionId,
    key: v.key,
    count: v.count,
    ttlSeconds: v.ttlSeconds,
    ...(t ? { tokens: t.summary, window: windowJson(t) } : {}),
    messages: v.messages.map((m) => messageJson(m, t)),
  };
}

/** Which messages the model sees: {firstSeen, lastSeen, seenTokens, cutBy, messages, maxTokens}. */
export function windowJson(t: HistoryTokens): Record<string, unknown> {
  return {
    firstSeen: t.cut.firstSeen <= t.cut.count ? t.cut.firstSeen : null,
    lastSeen: t.cut.firstSeen <= t.cut.count ? t.cut.count : null,
    seenTokens: t.cut.seenTokens,
    cutBy: t.cut.cutBy,
    messages: t.limits.messages ?? null,
    maxTokens: t.limits.maxTokens ?? null,
  };
}

function tokensOf(v: HistoryView, m: DecodedMessage): string {
  const n = v.tokens?.byIndex.get(m.index) ?? 0;
  return v.tokens?.summary.estimated ? `≈${n}` : String(n);
}

export function headerLine(v: Pick<HistoryView, "sessionId" | "count" | "ttlSeconds">): string {
  return `session ${sanitizeLine(v.sessionId)} · ${plural(v.count, "message")} · TTL ${formatTtl(v.ttlSeconds)}`;
}

/** Messages only, for streaming formats where the header was already written; one write for them all. */
export async function renderMessages(out: Output, v: HistoryView, format: HistoryFormat): Promise<void> {
  if (format === "ndjson") {
    return out.ndjsonLines(v.messages, (m) => ({ sessionId: v.sessionId, ...messageJson(m, v.tokens) }));
  }
  if (format !== "markdown" && format !== "text") {
    return out.tsvLines(
      v.messages.map((m) => (v.tokens ? [m.index, m.role, tokensOf(v, m), m.content] : [m.index, m.role, m.content])),
    );
  }
  const s = await out.styles();
  let text = "";
  for (const m of v.messages) {
    if (format === "markdown") {
      text += `${markdownMessage(m, v)}\n`;
      continue;
    }
    // The message's own line breaks and tabs (code) kept; continuation lines hang under its first.
    const role = sanitizeLine(m.role);
    const count = v.tokens ? ` (${tokensOf(v, m)} tokens)` : "";
    const pad = " ".repeat(Array.from(`[${m.index}] ${role}${count}: `).length);
    const body = sanitizeMultiline(m.content.replace(/\r\n/g, "\n").replace(/\n+$/, ""));
    text += `[${m.index}] ${s.role(m.role)(role)}${count}: ${body.replace(/\n/g, `\n${pad}`)}\n`;
  }
  await out.write(text);
}

/** `--format markdown`: the heading of the conversation. */
export function markdownHeader(v: Pick<HistoryView, "sessionId" | "count" | "ttlSeconds">): string {
  return `# Session ${sanitizeLine(v.sessionId)}\n\n_${plural(v.count, "message")} · TTL ${formatTtl(v.ttlSeconds)}_\n`;
}

/** `--format markdown`: one message (with its tokens when the view was counted). */
export function markdownMessage(m: DecodedMessage, v?: HistoryView): string {
  const tokens = v?.tokens ? `, ${tokensOf(v, m)} tokens` : "";
  return `**${sanitizeLine(m.role)}** (${m.index}${tokens})\n\n${sanitizeMultiline(m.content)}\n`;
}

/**
 * A whole history in any format but the terminal table, written page by page
 * as it is read, so a history of any length never sits in memory. The text is
 * byte for byte what renderHistory writes for the whole history; `onPage` sees
 * each page first (warnings).
 */
export async function renderHistoryPages(
  out: Output,
  pages: AsyncIterable<HistoryView>,
  format: HistoryFormat,
  onPage?: (page: HistoryView) => void,
): Promise<void> {
  let first = true;
  let open = false;
  for await (const page of pages) {
    onPage?.(page);
    if (format === "json") {
      if (first) {
        // The object with no messages, up to its empty array: `"messages": []\n}`.
        const head = safeJson({ ...historyJson(page), messages: [] }, 2);
        await out.write(head.slice(0, -"[]\n}".length));
      }
      if (page.messages.length) {
        const items = safeJson(
          page.messages.map((m) => messageJson(m, page.tokens)),
          2,
        ).replace(/\n/g, "\n  ");
        // "[\n    {…},\n    {…}\n  ]" → "\n    {…},\n    {…}"
        await out.write(`${open ? "," : "["}${items.slice(1, -"\n  ]".length)}`);
        open = true;
      }
    } else {
      if (first && format === "markdown") await out.line(markdownHeader(page));
      await renderMessages(out, page, format);
    }
    first = false;
  }
  if (format === "json" && !first) await out.write(open ? "\n  ]\n}\n" : "[]\n}\n");
}

export async function renderHistory(out: Output, v: HistoryView, format: HistoryFormat): Promise<void> {
  if (format === "json") return out.json(historyJson(v));
  if (format === "markdown") await out.line(markdownHeader(v));
  if (format === "table" && out.tty) return printConversation(out, v);
  await renderMessages(out, v, format);
}

/**
 * One warning per element that is not a chat message, then where to go next:
 * such an element can make the app load no memory at all, and only doctor
 * knows which readers it breaks.
 */
export function warnUnrecognized(out: Output, messages: DecodedMessage[], sessionId?: string): void {
  let any = false;
  for (const m of messages) {
    for (const note of m.notes ?? []) out.warn(`note: message ${m.index}: ${sanitizeLine(note)}`);
    if (!m.problem) continue;
    out.warn(`warning: message ${m.index} is not a chat message (${m.problem}); shown as unrecognized`);
    any = true;
  }
  if (any && sessionId !== undefined) {
    const id = sanitizeLine(shellArg(sessionId));
    out.warn(
      `  \`upstash-memory doctor ${id}\` says whether the app still loads this memory, and how \`upstash-memory repair\` mends it`,
    );
  }
}

const ROLE_MAX = 12;
const MIN_TEXT = 24;

/** Tabs to spaces (stops every 4 columns of the message), so widths are known. */
function expandTabs(text: string): string {
  if (!text.includes("\t")) return text;
  return text
    .split("\n")
    .map((line) =>
      line.replace(/([^\t]*)\t/g, (_, before: string) => before + " ".repeat(4 - (Array.from(before).length % 4))),
    )
    .join("\n");
}

/**
 * A conversation on a terminal: every message complete, wrapped to the width
 * with a hanging indent after the index and role; its own newlines and
 * indentation (code) kept. On a very narrow terminal the text starts below.
 */
async function printConversation(out: Output, v: HistoryView): Promise<void> {
  const s = await out.styles();
  const tw = await textWidth();
  await out.line(s.bold(headerLine(v)));
  if (!v.messages.length) return;
  const numWidth = String(v.messages[v.messages.length - 1].index).length;
  const roles = v.messages.map((m) => tw.truncate(sanitizeLine(m.role), ROLE_MAX));
  const roleWidth = Math.max(...roles.map((r) => tw.width(r)));
  const counts = v.messages.map((m) => (v.tokens ? tokensOf(v, m) : ""));
  const countWidth = Math.max(...counts.map((c) => c.length));
  const lead = numWidth + 2 + roleWidth + 2 + (v.tokens ? countWidth + 2 : 0);
  const below = out.columns - lead < MIN_TEXT;
  const indent = below ? 4 : lead;
  const textWidth_ = Math.max(out.columns - indent, 1);
  const pad = " ".repeat(indent);
  const lines: string[] = [];
  v.messages.forEach((m, i) => {
    const count = v.tokens ? `  ${s.dim(counts[i].padStart(countWidth))}` : "";
    const head = `${String(m.index).padStart(numWidth)}  ${s.role(m.role)(roles[i] + " ".repeat(roleWidth - tw.width(roles[i])))}${count}`;
    const text = tw.wrap(expandTabs(sanitizeMultiline(m.content)), textWidth_).split("\n");
    if (below) lines.push(head.trimEnd(), ...text.map((t) => pad + t));
    else lines.push(`${head}  ${text[0]}`.trimEnd(), ...text.slice(1).map((t) => (pad + t).trimEnd()));
  });
  await out.lines(lines);
}
