// A summary stored back as memory: an ordinary StoredMessage placed as the
// oldest element, so LangChain and Flowise load it first as plain history,
// marked in additional_kwargs so a later `summarize` folds it in.
import { randomUUID } from "node:crypto";
import { encodeMessage, type DecodedMessage, type StoredType } from "../history/codec.js";
import type { ChatLine } from "./types.js";

export const LEAD_IN = "Summary of the earlier conversation: ";
export const SUMMARY_FLAG = "upstash_memory_summary";

export interface SummaryMark {
  /** How many original messages the summary stands for (earlier summaries included). */
  covers: number;
  createdAt: string;
}

/** The mark of an earlier stored summary, if this message is one. */
export function summaryMark(m: DecodedMessage): SummaryMark | undefined {
  const kw = m.data?.additional_kwargs as Record<string, unknown> | undefined;
  if (kw?.[SUMMARY_FLAG] !== true) return undefined;
  const covers = Number(kw.summarized_messages);
  return { covers: Number.isInteger(covers) && covers > 0 ? covers : 1, createdAt: String(kw.summarized_at ?? "") };
}

export function summaryText(m: DecodedMessage): string {
  return m.content.startsWith(LEAD_IN) ? m.content.slice(LEAD_IN.length) : m.content;
}

export function summaryElement(summary: string, type: StoredType, covers: number, now = new Date()): string {
  return encodeMessage({
    type,
    content: LEAD_IN + summary,
    id: randomUUID(),
    additionalKwargs: { [SUMMARY_FLAG]: true, summarized_messages: covers, summarized_at: now.toISOString() },
  });
}

export interface SummarySource {
  input: { lines: ChatLine[]; previousSummary?: string };
  /** Original messages the result will cover. */
  covers: number;
}

/** Messages (oldest first) → engine input; an earlier summary becomes previousSummary. */
export function toSummaryInput(messages: DecodedMessage[]): SummarySource {
  let previousSummary: string | undefined;
  let covers = 0;
  const lines: ChatLine[] = [];
  for (const m of messages) {
    const mark = summaryMark(m);
    if (mark && previousSummary === undefined && lines.length === 0) {
      previousSummary = summaryText(m);
      covers += mark.covers;
      continue;
    }
    covers++;
    if (m.role === "unrecognized") continue;
    lines.push({ role: m.role, content: m.content });
  }
  return { input: { lines, previousSummary }, covers };
}
