// Summaries for people (the text, then what was stored) and for scripts.
import type { Output } from "./output.js";
import type { SummarizeResult } from "../summarize/session.js";
import { renderHistory } from "./history.js";
import { sanitizeLine, sanitizeMultiline } from "../text/sanitize.js";
import { plural } from "../text/plural.js";

export function summaryJson(r: SummarizeResult): Record<string, unknown> {
  return {
    sessionId: r.sessionId,
    engine: r.engine,
    summary: r.summary,
    summarizedCount: r.summarizedCount,
    ...(r.stored ? { stored: r.stored } : {}),
  };
}

export async function renderSummary(
  out: Output,
  r: SummarizeResult,
  opts: { streamed: boolean; heading: boolean },
): Promise<void> {
  if (opts.heading) await out.line(`# ${sanitizeLine(r.sessionId)}`);
  if (!opts.streamed) await out.line(sanitizeMultiline(r.summary));
  else await out.line();
  if (r.preview) {
    out.warn(`dry run: the session would become ${plural(r.preview.length, "message")} (nothing written)`);
    await renderHistory(
      out,
      { sessionId: r.sessionId, key: r.key, count: r.preview.length, ttlSeconds: null, messages: r.preview },
      "table",
    );
  }
  if (!r.stored) return;
  const s = r.stored;
  if (s.status === "compacted")
    out.warn(
      `${r.sessionId}: ${plural(r.summarizedCount, "message")} replaced by the summary; ${plural(s.length, "message")} now (${s.kept} kept)`,
    );
  else if (s.status === "already")
    out.warn(`${r.sessionId}: the summary was already stored (${plural(s.length, "message")})`);
  else if (s.status === "nothing-to-compact")
    out.warn(`${r.sessionId}: nothing to compact (${plural(s.length, "message")}, keeping ${s.kept})`);
}

/**
 * What `summarize --store` is about to write, for the confirmation: each
 * summary (the first 10 sessions'), and a warning for every system message
 * it folds in: usually the app's own instructions, which the bot would then
 * only see as part of a summary.
 */
export function approvalLines(drafts: SummarizeResult[], keep: number): string[] {
  const lines: string[] = [];
  for (const r of drafts.slice(0, 10)) {
    const d = r.draft!;
    const replaced = d.count - (r.stored?.kept ?? keep);
    lines.push(`summary to store in ${sanitizeLine(r.sessionId)}, replacing messages 1–${replaced} of ${d.count}:`);
    for (const l of sanitizeMultiline(d.summary).split("\n")) lines.push(`  ${l}`.trimEnd());
  }
  return [...lines, ...foldWarnings(drafts)];
}

/**
 * A warning for every system message a stored summary folds in: shown with
 * the question on a terminal, and by --yes and --dry-run too (a dry run
 * reports what the real run would do, warnings included).
 */
export function foldWarnings(results: SummarizeResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const sys = r.draft?.foldsSystem ?? [];
    if (!sys.length) continue;
    const which = sys.length === 1 ? `system message ${sys[0]}` : `system messages ${sys.join(", ")}`;
    lines.push(
      `warning: ${sanitizeLine(r.sessionId)}: the summary folds in ${which} (often the app's own instructions); the bot would no longer get it as a system prompt`,
    );
  }
  return lines;
}
