// `summarize` for one session: read it, summarize with the chosen engine, and
// with --store compact it (all but the newest --keep messages replaced by the
// summary), atomically and without losing a message.
import type { Store } from "../store/types.js";
import type { KeySpace } from "../sessions/keys.js";
import { loadHistory } from "../history/show.js";
import { decodeElement, type DecodedMessage, type StoredType } from "../history/codec.js";
import { createHash } from "node:crypto";
import { CliError } from "../errors/errors.js";
import { summarizeExtractive } from "./extractive.js";
import { summarizeWithLlm, type LlmOptions } from "./llm.js";
import { verbatimSummary } from "./verbatim.js";
import { summaryElement, summaryMark, toSummaryInput } from "./memory.js";
import { compactTail, type CompactStatus } from "./compact.js";
import type { CountFn } from "../tokens/tokenizer.js";
import { messageTokens, REPLY_PRIMING } from "../tokens/count.js";

export type Engine = "extractive" | "llm";

export interface StoreOptions {
  keep: number;
  /** --fit T: instead of `keep`, the newest messages that fit T tokens with the summary (its tokens counted too). */
  fit?: { maxTokens: number; count: CountFn };
  role: StoredType;
  dryRun: boolean;
  /** Summaries already shown for approval, by session id: stored as shown when the messages they cover are unchanged. */
  drafts?: Map<string, Draft>;
}

/** A summary computed for approval, tied to the exact messages it covers. */
export interface Draft {
  summary: string;
  /** SHA-256 of the covered elements' bytes. */
  digest: string;
  /** Messages in the session when it was read. */
  count: number;
  /** Indexes of `system` messages the summary folds in (an app's instructions, usually). */
  foldsSystem: number[];
}

export interface SummarizeOptions {
  engine: Engine;
  maxWords: number;
  llm?: LlmOptions;
  store?: StoreOptions;
}

export interface SummarizeResult {
  sessionId: string;
  key: string;
  engine: Engine;
  summary: string;
  /** Original messages the summary covers (an earlier summary's included). */
  summarizedCount: number;
  stored?: { status: CompactStatus | "nothing-to-compact" | "dry-run"; length: number; kept: number };
  /** With --dry-run: the history as it would be after compaction. */
  preview?: DecodedMessage[];
  /** With --store, when something would be compacted: what the summary covers. */
  draft?: Draft;
}

function digestOf(messages: DecodedMessage[]): string {
  const h = createHash("sha256");
  for (const m of messages) h.update(String(m.rawBytes.length)).update(":").update(m.rawBytes);
  return h.digest("hex");
}

async function runEngine(
  sessionId: string,
  opts: SummarizeOptions,
  input: ReturnType<typeof toSummaryInput>["input"],
): Promise<string> {
  let summary: string;
  if (opts.engine === "llm") {
    if (!opts.llm) throw new CliError("no model configured for the llm engine");
    summary = (await summarizeWithLlm(input, opts.llm)).summary;
  } else summary = summarizeExtractive(input, { maxWords: opts.maxWords });
  if (summary.trim()) return summary;
  // Too short to condense (or nothing but small talk): its own words, never an empty summary.
  const own = verbatimSummary(input, opts.maxWords);
  if (own) return own;
  throw new CliError(
    `session '${sessionId}' has no message text to summarize`,
    1,
    "`upstash-memory history show` shows what it holds",
  );
}

/** How many of the newest messages fit `budget` tokens. */
function newestThatFit(tokens: number[], budget: number): number {
  let kept = 0;
  let total = 0;
  for (let i = tokens.length - 1; i >= 0 && total + tokens[i] <= budget; i--) {
    total += tokens[i];
    kept++;
  }
  return kept;
}

/**
 * --fit T: the newest messages that fit beside the summary of the rest. The
 * summary's size depends on what it covers, so the room kept for it grows
 * until the summary of the messages left over fits in it (each round keeps
 * fewer messages; a summary is bounded by --max-words, so it ends).
 */
async function fitToTokens(
  sessionId: string,
  messages: DecodedMessage[],
  opts: SummarizeOptions,
  fit: { maxTokens: number; count: CountFn },
): Promise<{ keep: number; summary?: string }> {
  const tokens = messages.map((m) => messageTokens(fit.count, m));
  const summarizeAll = async (keep: number) => {
    const part = messages.slice(0, messages.length - keep);
    if (!part.length || (part.length === 1 && summaryMark(part[0]) !== undefined)) return undefined;
    const source = toSummaryInput(part);
    const summary = await runEngine(sessionId, opts, source.input);
    const element = summaryElement(summary, opts.store?.role ?? "human", source.covers);
    return { summary, size: messageTokens(fit.count, decodeElement(Buffer.from(element), 1)) };
  };
  let reserve = 0;
  for (;;) {
    const keep = newestThatFit(tokens, fit.maxTokens - REPLY_PRIMING - reserve);
    const s = await summarizeAll(keep);
    if (!s) return { keep };
    const { size } = s;
    if (size <= reserve) return grow(keep, s);
    if (size + REPLY_PRIMING > fit.maxTokens) {
      throw new CliError(
        `the summary of session '${sessionId}' alone is ${size + REPLY_PRIMING} tokens, over --fit ${fit.maxTokens}: nothing was written`,
        1,
        "raise --fit, or shorten the summary (--max-words)",
      );
    }
    reserve = size;
  }

  /** The summary came out smaller than the room kept for it: keep more messages while the result still fits. */
  async function grow(keep: number, s: { summary: string; size: number }): Promise<{ keep: number; summary: string }> {
    for (;;) {
      const more = newestThatFit(tokens, fit.maxTokens - REPLY_PRIMING - s.size);
      if (more <= keep) return { keep, summary: s.summary };
      const next = await summarizeAll(more);
      const kept = tokens.slice(tokens.length - more).reduce((a, b) => a + b, 0);
      if (!next || REPLY_PRIMING + next.size + kept > fit.maxTokens) return { keep, summary: s.summary };
      keep = more;
      s = next;
    }
  }
}

export async function summarizeSession(
  store: Store,
  keys: KeySpace,
  sessionId: string,
  opts: SummarizeOptions,
): Promise<SummarizeResult> {
  // One retry covers a concurrent compaction or trim of the tail between read and write.
  for (let attempt = 0; ; attempt++) {
    const view = await loadHistory(store, keys, sessionId);
    const base = { sessionId, key: view.key, engine: opts.engine };
    const fitted = opts.store?.fit ? await fitToTokens(sessionId, view.messages, opts, opts.store.fit) : undefined;
    const keep = fitted ? fitted.keep : (opts.store?.keep ?? 0);
    const n = opts.store ? view.count - keep : view.count;
    const part = view.messages.slice(0, Math.max(n, 0));
    const onlySummary = part.length === 1 && summaryMark(part[0]) !== undefined;
    if (opts.store && (n < 1 || onlySummary)) {
      const whole = toSummaryInput(view.messages);
      const summary = await runEngine(sessionId, opts, whole.input);
      return {
        ...base,
        summary,
        summarizedCount: whole.covers,
        stored: { status: "nothing-to-compact", length: view.count, kept: view.count },
      };
    }
    const source = toSummaryInput(part);
    const digest = opts.store ? digestOf(part) : "";
    const shown = opts.store?.drafts?.get(sessionId);
    const summary =
      shown && shown.digest === digest
        ? shown.summary
        : (fitted?.summary ?? (await runEngine(sessionId, opts, source.input)));
    const result: SummarizeResult = { ...base, summary, summarizedCount: source.covers };
    if (!opts.store) return result;
    const foldsSystem = part.filter((m) => m.type === "system" && summaryMark(m) === undefined).map((m) => m.index);
    result.draft = { summary, digest, count: view.count, foldsSystem };
    const element = summaryElement(summary, opts.store.role, source.covers);
    const kept = view.messages.slice(part.length);
    if (opts.store.dryRun) {
      const preview = [decodeElement(Buffer.from(element), 1), ...kept.map((m, i) => ({ ...m, index: i + 2 }))];
      return { ...result, stored: { status: "dry-run", length: preview.length, kept: kept.length }, preview };
    }
    const tail = part.map((m) => m.rawBytes).reverse();
    const applied = await compactTail(store, view.key, tail, element);
    if (applied.status !== "changed")
      return { ...result, stored: { status: applied.status, length: applied.length, kept: kept.length } };
    if (attempt >= 1) {
      throw new CliError(
        `session '${sessionId}' kept changing at its oldest end while it was summarized: nothing was written`,
        1,
        "another process trims or compacts it; run again when it is idle",
      );
    }
  }
}
