// Applying repair plans: one atomic, idempotent script per session (REPAIR in
// src/write/scripts.ts), several sessions per request.
import { randomUUID } from "node:crypto";
import type { Cmd, Store } from "../store/types.js";
import { asArray, asInt, unwrap } from "../store/replies.js";
import { REPAIR } from "../write/scripts.js";
import { tailDigest } from "../summarize/compact.js";
import type { SessionPlan } from "./plan.js";

export type RepairStatus = "repaired" | "already" | "changed";

export interface RepairResult {
  plan: SessionPlan;
  status: RepairStatus;
  /** Elements in the session afterwards (the app's new ones included). */
  length: number;
}

/** Stay well inside Upstash's 10 MB request limit. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const MAX_SESSIONS_PER_REQUEST = 100;

export function repairCommand(plan: SessionPlan): Cmd {
  // Cannot collide with a stored element: it is made up now, and gone before the script returns.
  const tombstone = `\u0000upstash-memory repair ${randomUUID()}`;
  const flags = plan.changes.map((c) => (c.action === "remove" ? "r" : "u")).join("");
  const args = plan.changes.flatMap((c) => [c.fromTail, c.replacement ?? ""]);
  return [
    "EVAL",
    REPAIR,
    1,
    plan.key,
    plan.newestFirst.length,
    tailDigest(plan.newestFirst),
    plan.after.length,
    tailDigest(plan.after),
    tombstone,
    flags,
    ...args,
  ];
}

export async function applyRepairs(
  store: Store,
  plans: SessionPlan[],
  onProgress?: (done: number) => void,
): Promise<RepairResult[]> {
  const results: RepairResult[] = [];
  let batch: SessionPlan[] = [];
  let size = 0;
  const flush = async () => {
    if (!batch.length) return;
    const o = await store.pipeline(batch.map(repairCommand), { idempotent: true });
    batch.forEach((plan, i) => {
      const [status, length] = asArray(unwrap(o[i])).map(asInt);
      results.push({ plan, status: status === 1 ? "repaired" : status === 2 ? "already" : "changed", length });
    });
    onProgress?.(results.length);
    batch = [];
    size = 0;
  };
  for (const plan of plans) {
    const bytes = plan.changes.reduce((sum, c) => sum + (c.replacement?.length ?? 0) + 16, 0);
    if (batch.length && (size + bytes > MAX_REQUEST_BYTES || batch.length >= MAX_SESSIONS_PER_REQUEST)) await flush();
    batch.push(plan);
    size += bytes;
  }
  await flush();
  return results;
}
