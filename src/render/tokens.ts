// Token counts for people: the model and how sure the count is, the share of
// the context window, and which messages a window memory lets the model see.
import type { HistoryTokens } from "../tokens/history.js";
import type { TokensSummary } from "../tokens/count.js";
import { showTokens } from "../tokens/count.js";
import { groupDigits } from "../text/plural.js";
import type { Output } from "./output.js";
import type { HistoryView } from "./history.js";

/** "gpt-4o (o200k_base, exact)" or "claude-3-5-sonnet (≈ estimated with o200k_base)". */
export function modelLabel(t: TokensSummary): string {
  return `${t.model} (${t.estimated ? `≈ estimated with ${t.tokenizer}` : `${t.tokenizer}, exact`})`;
}

/** "12%" of the window, or "" when the window is unknown. */
export function windowShare(total: number, contextWindow: number | null): string {
  if (!contextWindow) return "";
  const pct = (100 * total) / contextWindow;
  return `${pct < 1 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** The totals line: "12,345 tokens for gpt-4o (o200k_base, exact) · 10% of its 128,000-token window". */
export function totalLine(t: TokensSummary): string {
  const share = t.contextWindow
    ? ` · ${windowShare(t.total, t.contextWindow)} of its ${groupDigits(t.contextWindow)}-token window`
    : " · context window unknown (--context N)";
  return `${showTokens(t.total, t.estimated)} tokens for ${modelLabel(t)}${share}`;
}

/** "the model sees messages 57–120; 1–56 fall outside (a window of 64 messages)". */
export function seenLine(t: HistoryTokens): string {
  const { firstSeen, count, cutBy } = t.cut;
  if (count === 0) return "the history is empty";
  const why =
    cutBy === "messages"
      ? ` (a window of ${groupDigits(t.limits.messages ?? 0)} messages)`
      : cutBy === "max-tokens"
        ? ` (the newest ${groupDigits(t.limits.maxTokens ?? 0)} tokens)`
        : cutBy === "context-window"
          ? " (the model's context window)"
          : "";
  if (firstSeen > count)
    return `the model sees none of the ${groupDigits(count)} messages: the newest alone is over the limit${why}`;
  if (firstSeen === 1) return `the model sees all ${groupDigits(count)} messages`;
  const seen = firstSeen === count ? `message ${count}` : `messages ${firstSeen}–${count}`;
  const out = firstSeen === 2 ? "1 falls" : `1–${firstSeen - 1} fall`;
  return `the model sees ${seen}; ${out} outside${why}`;
}

/** After the messages: the total and the cut, on stdout on a terminal, else on stderr (stdout stays data). */
export async function renderTokensNote(out: Output, v: HistoryView, onTerminal: boolean): Promise<void> {
  if (!v.tokens) return;
  const lines = [totalLine(v.tokens.summary), seenLine(v.tokens)];
  if (onTerminal) {
    const s = await out.styles();
    await out.line();
    for (const l of lines) await out.line(s.dim(l));
  } else for (const l of lines) out.warn(l);
}
