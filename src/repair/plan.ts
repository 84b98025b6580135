// What `repair` changes in one session, decided from the reader verdicts
// (src/history/readers.ts): an element that makes the key's reader throw is
// removed, or unwrapped when it is a valid message encoded twice; with
// --invisible, so are the elements the reader drops without a word. Every
// other element stays, byte for byte and in order.
import { judgeSession, type ElementVerdict } from "../history/readers.js";
import { elementBytes, type ExportLine } from "../transfer/format.js";
import { exportKeys } from "../transfer/export.js";
import type { Store } from "../store/types.js";
import type { KeySpace } from "../sessions/keys.js";
import { textFromBytes } from "../text/bytes.js";
import type { Target } from "../write/targets.js";

export type RepairAction = "remove" | "unwrap";

export interface Change {
  /** 1-based, oldest first (as doctor and history show number messages). */
  index: number;
  /** The element's LSET index counted from the tail (-1 = oldest): stable while the app LPUSHes. */
  fromTail: number;
  action: RepairAction;
  verdict: ElementVerdict;
  /** The element that replaces it (unwrap only). */
  replacement?: string;
}

export interface SessionPlan {
  sessionId: string;
  key: string;
  /** The session as it was read: what --backup holds and what the script checks. */
  line: ExportLine;
  newestFirst: Buffer[];
  changes: Change[];
  /** The same elements after the repair, newest first. */
  after: Buffer[];
}

export interface PlanOptions {
  /** Also the elements the reader drops without a word. */
  invisible: boolean;
}

export function planSession(line: ExportLine, opts: PlanOptions, keys?: KeySpace): SessionPlan {
  // The key as the store takes it: a key that is not UTF-8 travels as keyBase64 in an export line.
  const key = line.keyBase64 ? textFromBytes(Buffer.from(line.keyBase64, "base64")) : line.key;
  const sessionId = keys ? keys.sessionId(key) : line.sessionId;
  const newestFirst = line.elements.map(elementBytes);
  const n = newestFirst.length;
  const changes: Change[] = [];
  for (const v of judgeSession(newestFirst, key)) {
    const wanted = v.outcome === "breaks" || (opts.invisible && v.outcome === "dropped");
    if (!wanted) continue;
    // The i-th oldest element sits at LRANGE position n - i, which is -i counted from the tail.
    const fromTail = -v.index;
    changes.push(
      v.unwrapped !== undefined
        ? { index: v.index, fromTail, action: "unwrap", verdict: v, replacement: v.unwrapped }
        : { index: v.index, fromTail, action: "remove", verdict: v },
    );
  }
  const byPosition = new Map(changes.map((c) => [n + c.fromTail, c]));
  const after: Buffer[] = [];
  newestFirst.forEach((e, i) => {
    const c = byPosition.get(i);
    if (!c) after.push(e);
    else if (c.action === "unwrap") after.push(Buffer.from(c.replacement!, "utf8"));
  });
  return { sessionId, key, line, newestFirst, changes, after };
}

export function counts(plans: SessionPlan[]): { removed: number; unwrapped: number } {
  let removed = 0;
  let unwrapped = 0;
  for (const p of plans) for (const c of p.changes) c.action === "remove" ? removed++ : unwrapped++;
  return { removed, unwrapped };
}

export interface RepairSelection {
  /** Sessions with something to change. */
  plans: SessionPlan[];
  /** Sessions every reader of theirs loads as they are. */
  clean: string[];
  /** Gone between being listed and being read. */
  gone: string[];
}

/** Read the targets (a batch per request, huge sessions in pages) and plan each. */
export async function planRepairs(
  store: Store,
  keys: KeySpace,
  targets: Target[],
  opts: PlanOptions,
): Promise<RepairSelection> {
  const report = { missing: [] as string[], notLists: [] as { key: string; type: string }[] };
  const selection: RepairSelection = { plans: [], clean: [], gone: [] };
  for await (const line of exportKeys(
    store,
    keys,
    targets.map((t) => t.key),
    report,
  )) {
    const plan = planSession(line, opts, keys);
    if (plan.changes.length) selection.plans.push(plan);
    else selection.clean.push(plan.sessionId);
  }
  selection.gone.push(
    ...report.missing.map((k) => keys.sessionId(k)),
    ...report.notLists.map((k) => keys.sessionId(k.key)),
  );
  return selection;
}
