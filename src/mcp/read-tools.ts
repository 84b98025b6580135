// The read tools' bodies: the functions the commands call, the commands' JSON,
// long lists and histories in pages that fit an assistant's context.
import { UsageError } from "../errors/errors.js";
import { listSessions } from "../sessions/list.js";
import type { SessionInfo } from "../sessions/scan.js";
import { loadHistory, notFound, wrongType } from "../history/show.js";
import { readMetaOnly } from "../history/read.js";
import type { DecodedMessage } from "../history/codec.js";
import { historyJson, markdownHeader, markdownMessage, messageJson, type HistoryView } from "../render/history.js";
import { sessionJson } from "../render/sessions.js";
import { doctorJson, doctorLines } from "../render/doctor.js";
import { summaryJson } from "../render/summary.js";
import { debugLogger, timeoutMs } from "../program/connection.js";
import { formatTtl } from "../duration/duration.js";
import { groupDigits, plural } from "../text/plural.js";
import { clip, sanitizeLine } from "../text/sanitize.js";
import { captureText } from "./capture.js";
import { answer, decodeCursor, encodeCursor, jsonSize, type ToolAnswer } from "./answer.js";
import type { ToolEnv } from "./tools.js";

/** Room for the rows of a page (the rest of the structured budget is the envelope). */
const ROWS_BUDGET = 22_000;
/** Messages read per request for a page (then cut to the budget). */
const PAGE_READ = 200;

/** As many items as fit in `budget` (at least one: a huge one is cut later, and says so). */
export function fitting<T>(items: T[], size: (item: T) => number, budget = ROWS_BUDGET): T[] {
  let used = 0;
  let n = 0;
  for (const item of items) {
    used += size(item) + 1;
    if (n > 0 && used > budget) break;
    n++;
  }
  return items.slice(0, n);
}

const pageNote = (what: string, cursor: string | undefined) =>
  cursor ? `\nThis is one page: ${what}. For the next page call again with cursor: "${cursor}".` : "";

// --- list_sessions -----------------------------------------------------------

interface ListArgs {
  pattern?: string;
  sort?: "name" | "count" | "ttl";
  limit?: number;
  cursor?: string;
}

const isOffset = (v: Record<string, unknown>): v is { offset: number } =>
  Number.isInteger(v.offset) && (v.offset as number) >= 0;

export async function listSessionsTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const a = args as ListArgs;
  const offset = a.cursor !== undefined ? decodeCursor(a.cursor, isOffset).offset : 0;
  const limit = a.limit ?? 100;
  return env.use(async ({ store, keys }) => {
    let total: number | undefined;
    const page: SessionInfo[] = [];
    const opts = {
      pattern: a.pattern ?? "*",
      sort: a.sort ?? "name",
      limit,
      offset,
      onCut: (_shown: number, found: number) => (total = found),
    };
    for await (const batch of listSessions(store, keys, opts)) page.push(...batch);
    const rows = fitting(page.map(sessionJson), jsonSize);
    total ??= offset + page.length;
    const next = offset + rows.length;
    const nextCursor = next < total ? encodeCursor({ offset: next }) : undefined;
    const lines = page
      .slice(0, rows.length)
      .map(
        (s) =>
          `${sanitizeLine(s.sessionId)}\t${plural(s.count, "message")}\tTTL ${formatTtl(s.ttlSeconds)}` +
          (s.last ? `\t${sanitizeLine(s.last.role)}: ${clip(sanitizeLine(s.last.content), 120)}` : ""),
      );
    const head = total
      ? `sessions ${groupDigits(offset + 1)}–${groupDigits(next)} of ${groupDigits(total)}`
      : "no sessions found";
    return answer(
      { sessions: rows, total, ...(nextCursor ? { nextCursor } : {}) },
      [head, ...lines].join("\n") + pageNote(`${groupDigits(total - next)} more`, nextCursor),
    );
  });
}

// --- show_history ------------------------------------------------------------

interface ShowArgs {
  sessionId: string;
  first?: number;
  last?: number;
  maxTokens?: number;
  model?: string;
  cursor?: string;
}

/** A page: the oldest-first indexes (1-based) from..to of the window asked for. */
interface Range {
  [key: string]: unknown;
  sessionId: string;
  from: number;
  to: number;
}

const isRange = (v: Record<string, unknown>): v is Range =>
  typeof v.sessionId === "string" && Number.isInteger(v.from) && Number.isInteger(v.to) && (v.from as number) >= 1;

/** The messages of one page of a conversation, and where the next one starts. */
export async function historyPage(
  env: ToolEnv,
  a: ShowArgs,
): Promise<{ view: HistoryView; messages: DecodedMessage[]; range: Range; next?: Range }> {
  if (a.first !== undefined && a.last !== undefined)
    throw new UsageError("first and last cannot be used together", "ask for the oldest N or the newest N messages");
  if (a.maxTokens !== undefined && (a.first !== undefined || a.last !== undefined))
    throw new UsageError("maxTokens cannot be used with first or last", "maxTokens keeps the newest messages that fit");
  return env.use(async ({ store, keys, resolved }) => {
    if (a.maxTokens !== undefined) return tokenPage(env, a, a.maxTokens, resolved.profile);
    let range: Range;
    if (a.cursor !== undefined) {
      range = decodeCursor(a.cursor, isRange);
      if (range.sessionId !== a.sessionId)
        throw new UsageError("the cursor belongs to another session", "leave it out to start from the beginning");
    } else if (a.last !== undefined) {
      const meta = await readMetaOnly(store, keys.key(a.sessionId));
      if (meta.type === "none") throw await notFound(store, keys, a.sessionId);
      if (meta.type !== "list") throw wrongType(meta.key, meta.type);
      range = { sessionId: a.sessionId, from: Math.max(meta.count - a.last + 1, 1), to: meta.count };
    } else range = { sessionId: a.sessionId, from: 1, to: a.first ?? 0 };
    const want = range.to > 0 ? Math.max(Math.min(PAGE_READ, range.to - range.from + 1), 1) : PAGE_READ;
    const view = await loadHistory(store, keys, a.sessionId, { first: want, skip: range.from - 1 });
    // Without first/last the window is the whole history as the first page found it.
    if (range.to === 0) range = { ...range, to: view.count };
    const inRange = view.messages.filter((m) => m.index <= range.to);
    const messages = fitting(inRange, (m) => jsonSize(messageJson(m)));
    const from = range.from + messages.length;
    const next = messages.length && from <= Math.min(range.to, view.count) ? { ...range, from } : undefined;
    return { view, messages, range, next };
  });
}

/**
 * With maxTokens: the newest messages that fit, as `history show --tokens
 * --max-tokens T` counts them (each message's tokens, the total, the window),
 * in pages from the oldest of them.
 */
async function tokenPage(
  env: ToolEnv,
  a: ShowArgs,
  maxTokens: number,
  profile: { model?: string } | undefined,
): Promise<{ view: HistoryView; messages: DecodedMessage[]; range: Range; next?: Range }> {
  const { counterFor } = await import("../tokens/count.js");
  const { modelOf } = await import("../tokens/flags.js");
  const { countHistory } = await import("../tokens/history.js");
  return env.use(async ({ store, keys }) => {
    const whole = await loadHistory(store, keys, a.sessionId);
    const counter = await counterFor(modelOf(a.model, profile));
    const tokens = countHistory(whole.messages, counter, { maxTokens });
    let range: Range = { sessionId: a.sessionId, from: tokens.cut.firstSeen, to: whole.count };
    if (a.cursor !== undefined) {
      range = decodeCursor(a.cursor, isRange);
      if (range.sessionId !== a.sessionId)
        throw new UsageError("the cursor belongs to another session", "leave it out to start from the beginning");
    }
    const view = { ...whole, tokens };
    const inRange = whole.messages.filter((m) => m.index >= range.from && m.index <= range.to);
    const messages = fitting(inRange, (m) => jsonSize(messageJson(m, tokens)));
    const from = range.from + messages.length;
    const next = messages.length && from <= range.to ? { ...range, from } : undefined;
    return { view, messages, range, next };
  });
}

export async function showHistoryTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const { view, messages, range, next } = await historyPage(env, args as unknown as ShowArgs);
  const nextCursor = next ? encodeCursor(next) : undefined;
  const shown = messages.length
    ? `messages ${groupDigits(messages[0].index)}–${groupDigits(messages[messages.length - 1].index)} of ${groupDigits(view.count)}`
    : `no messages in ${groupDigits(range.from)}–${groupDigits(range.to)} (the session has ${plural(view.count, "message")})`;
  const text = [
    markdownHeader(view),
    `_${shown}_\n`,
    ...messages.map((m) => markdownMessage({ ...m, content: clip(m.content, 2000) }, view)),
  ].join("\n");
  const left = next ? Math.min(range.to, view.count) - next.from + 1 : 0;
  return answer(
    { ...historyJson({ ...view, messages }), ...(nextCursor ? { nextCursor } : {}) },
    text + pageNote(`${plural(left, "message")} more`, nextCursor),
  );
}

// --- diagnose_session --------------------------------------------------------

export async function diagnoseTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const sessionId = args.sessionId as string | undefined;
  const { runDoctor } = await import("../doctor/run.js");
  const report = await runDoctor({
    ctx: env.ctx,
    globals: env.ctx.globals(env.cmd),
    sessionId,
    timeoutMs: timeoutMs(env.ctx, env.cmd),
    debug: debugLogger(env.ctx, env.cmd),
  });
  const count = (s: string) => report.checks.filter((c) => c.status === s).length;
  const summary = `${count("fail")} failed · ${plural(count("warn"), "warning")} · ${count("pass")} passed`;
  return answer(doctorJson(report.checks), [...doctorLines(report.checks), summary].join("\n"));
}

// --- summarize_session -------------------------------------------------------

export interface SummarizeArgs {
  sessionId: string;
  engine?: "extractive" | "llm";
  maxWords?: number;
}

/** The engine as `summarize` picks it: llm when a model is configured, else extractive. */
export async function engineFor(
  env: ToolEnv,
  a: SummarizeArgs,
  profileLlm: import("../config/profiles.js").LlmSettings | undefined,
) {
  const { buildLlmOptions } = await import("../summarize/engine-options.js");
  return buildLlmOptions({
    requested: a.engine,
    profile: profileLlm,
    env: env.ctx.io.env,
    maxInputTokens: 6000,
    timeout: "60s",
    signal: env.signal,
  });
}

export async function summarizeTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const a = args as unknown as SummarizeArgs;
  const { summarizeSession } = await import("../summarize/session.js");
  return env.use(async ({ store, keys, resolved }) => {
    const { engine, llm } = await engineFor(env, a, resolved.profile?.llm);
    const r = await summarizeSession(store, keys, a.sessionId, { engine, maxWords: a.maxWords ?? 120, llm });
    return answer(summaryJson(r), r.summary);
  });
}

// --- search_messages ---------------------------------------------------------

interface SearchArgs {
  query: string;
  match?: string;
  role?: string;
  caseSensitive?: boolean;
  regex?: boolean;
  limit?: number;
  cursor?: string;
}

export async function searchTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const a = args as unknown as SearchArgs;
  const { compileQuery } = await import("../search/query.js");
  const { searchMessages } = await import("../search/search.js");
  const { renderHit, searchNotes } = await import("../render/search.js");
  const query = compileQuery({ text: a.query, caseSensitive: a.caseSensitive, regex: a.regex });
  const offset = a.cursor !== undefined ? decodeCursor(a.cursor, isOffset).offset : 0;
  const limit = a.limit ?? 50;
  return env.use(async ({ store, keys }) => {
    // One hit more than the page: whether there is a next page. Earlier pages are found again and skipped.
    const { hits, summary } = searchMessages(store, keys, {
      query,
      pattern: a.match,
      role: a.role,
      limit: offset + limit + 1,
    });
    const found = [];
    for await (const hit of hits) found.push(hit);
    const page = fitting(found.slice(offset, offset + limit), jsonSize);
    const next = offset + page.length;
    const nextCursor = found.length > next ? encodeCursor({ offset: next }) : undefined;
    const text = await captureText(env.ctx.io.env, async (out) => {
      for (const hit of page) await renderHit(out, hit, query);
      if (!nextCursor) searchNotes(out, a.query, { ...summary, hits: found.length, complete: true });
    });
    return answer(
      { hits: page, sessionsSearched: summary.sessions, ...(nextCursor ? { nextCursor } : {}) },
      text + pageNote(`there are more hits`, nextCursor),
    );
  });
}

// --- session_stats -----------------------------------------------------------

export async function statsTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const { collectStats } = await import("../stats/stats.js");
  const { renderStats } = await import("../render/stats-report.js");
  return env.use(async ({ store, keys }) => {
    const report = await collectStats(store, keys, { pattern: (args.pattern as string | undefined) ?? "*" });
    const text = await captureText(env.ctx.io.env, (out) => renderStats(out, report));
    return answer(report as unknown as Record<string, unknown>, text);
  });
}
