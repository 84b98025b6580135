// `repair` output. The dry run and the real run describe each change the same
// way (same JSON objects, same lines), so what the dry run shows is what runs.
import type { Output } from "./output.js";
import type { Change, SessionPlan } from "../repair/plan.js";
import type { RepairResult } from "../repair/apply.js";
import { exportElement } from "../transfer/format.js";
import { plural, sessionLine } from "./writes.js";
import { clip, sanitizeLine, snippet } from "../text/sanitize.js";
import { keyFields } from "../sessions/keys.js";
import { showBytes } from "../text/bytes.js";

function changeJson(c: Change): Record<string, unknown> {
  return {
    index: c.index,
    action: c.action,
    problem: c.verdict.problem ?? null,
    why: c.verdict.why ?? null,
    readers: Object.fromEntries(Object.entries(c.verdict.verdicts).map(([r, v]) => [r, v.outcome])),
    element: exportElement(c.verdict.bytes),
    ...(c.replacement !== undefined ? { replacement: c.replacement } : {}),
  };
}

export function planJson(p: SessionPlan): Record<string, unknown> {
  return { ...keyFields(p.sessionId, p.key), count: p.newestFirst.length, changes: p.changes.map(changeJson) };
}

export function resultJson(r: RepairResult): Record<string, unknown> {
  return { ...planJson(r.plan), status: r.status, length: r.length };
}

/** "remove 3 elements and unwrap 1" */
/** `repair --json`: the sessions planned (dry run) or repaired, and the ones left alone. */
export function repairJson(
  sessions: Record<string, unknown>[],
  clean: string[],
  missing: string[],
  dryRun = false,
): Record<string, unknown> {
  return {
    ...(dryRun ? { dryRun: true } : {}),
    sessions,
    clean: clean.map(showBytes),
    missing: missing.map(showBytes),
  };
}

export function describeChanges(changes: Change[], tense: "will" | "did" = "will"): string {
  const removed = changes.filter((c) => c.action === "remove").length;
  const unwrapped = changes.length - removed;
  const verb = (base: string) => (tense === "did" ? `${base}d` : base);
  const parts = [
    removed ? `${verb("remove")} ${plural(removed, "element")}` : "",
    unwrapped ? `${verb("unwrap")} ${plural(unwrapped, "element")}` : "",
  ];
  return parts.filter(Boolean).join(" and ");
}

/** "repair session 'user-42': remove 2 elements" / "repair 3 sessions: remove 5 elements and unwrap 1 element" */
export function describePlans(plans: SessionPlan[]): string {
  const what = plans.length === 1 ? `session '${sanitizeLine(plans[0].sessionId)}'` : plural(plans.length, "session");
  return `repair ${what}: ${describeChanges(plans.flatMap((p) => p.changes))}`;
}

/** One tab-separated line per change: session, index, action, problem, the element. */
export async function listChanges(out: Output, plans: SessionPlan[]): Promise<void> {
  for (const p of plans) {
    for (const c of p.changes)
      await out.tsv([
        sanitizeLine(p.sessionId),
        c.index,
        c.action,
        c.verdict.problem ?? "",
        // Whole: a script reads the element itself (the TSV writer escapes it onto one line).
        c.verdict.bytes.toString("utf8"),
      ]);
  }
}

const CONFIRM_WIDTH = 80;

/**
 * Each element about to change, for the confirmation (the first 10 sessions'
 * only): what and why on one line, the element below it, each line within 80
 * columns.
 */
export function changeDetails(plans: SessionPlan[]): string[] {
  return plans.slice(0, 10).flatMap((p) =>
    p.changes.flatMap((c) => {
      const what = c.action === "unwrap" ? `unwrap message ${c.index}` : `remove message ${c.index}`;
      return [
        clip(sessionLine(p.sessionId, `${what} (${c.verdict.problem})`), CONFIRM_WIDTH),
        `  '${snippet(c.verdict.bytes.toString("utf8"), CONFIRM_WIDTH - 4)}'`,
      ];
    }),
  );
}

export function resultLine(r: RepairResult): string {
  if (r.status === "changed")
    return sessionLine(
      r.plan.sessionId,
      "its oldest messages changed since they were read (cleared or compacted?): nothing written; run again",
    );
  const done = describeChanges(r.plan.changes, "did");
  const tail = r.status === "already" ? " (done by an earlier attempt whose answer was lost)" : "";
  return sessionLine(r.plan.sessionId, `${done}${tail}; ${plural(r.length, "message")} now`);
}
