// `trim`'s result: one line per session on stderr for people, the TrimResult
// as --json on stdout (the same object a tool for agents returns).
import type { TrimPlan, TrimResult } from "../tokens/trim.js";
import type { TokensSummary } from "../tokens/count.js";
import { showTokens } from "../tokens/count.js";
import { plural } from "../text/plural.js";
import { sanitizeLine } from "../text/sanitize.js";
import type { Output } from "./output.js";

/** "drop messages 2–81 (≈12,345 tokens); keep 40 and the leading system message" */
export function planNote(p: TrimPlan, estimated: boolean): string {
  if (!p.droppedRange) return "nothing to drop";
  const [a, b] = p.droppedRange;
  const which = a === b ? `message ${a}` : `messages ${a}–${b}`;
  const lead = p.keepLead ? " and the leading message" : "";
  return `drop ${which} (${showTokens(p.droppedTokens, estimated)} tokens); keep ${plural(p.after - (p.keepLead ? 1 : 0), "message")}${lead}`;
}

export async function renderTrim(
  out: Output,
  plans: TrimPlan[],
  result: TrimResult,
  model: TokensSummary,
  json: boolean,
): Promise<void> {
  const byId = new Map(plans.map((p) => [p.sessionId, p]));
  const verb = result.dryRun ? "would trim" : "trimmed";
  for (const t of result.trimmed) {
    const p = byId.get(t.sessionId);
    out.warn(
      `${sanitizeLine(t.sessionId)}: ${verb} ${t.before} → ${t.after} messages; ${p ? planNote(p, model.estimated) : ""}`,
    );
  }
  for (const p of plans)
    if (p.drop === 0) out.warn(`${sanitizeLine(p.sessionId)}: nothing to drop (${plural(p.before, "message")})`);
  if (json) await out.json(result);
}
