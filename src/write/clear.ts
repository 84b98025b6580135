// `clear`: delete sessions in batches, each only if it is still what the user
// was shown (and what --backup saved).
import type { Store } from "../store/types.js";
import { asArray, asInt, unwrap } from "../store/replies.js";
import type { Target } from "./targets.js";
import { UNLINK_IF_UNCHANGED } from "./scripts.js";

export interface ClearResult {
  deleted: Target[];
  /** Written to by the app after we looked: kept. */
  changed: Target[];
  /** Already gone. */
  gone: Target[];
}

const BATCH = 500;

export async function unlinkUnchanged(store: Store, targets: Target[], onProgress?: (done: number) => void): Promise<ClearResult> {
  const result: ClearResult = { deleted: [], changed: [], gone: [] };
  for (let i = 0; i < targets.length; i += BATCH) {
    const batch = targets.slice(i, i + BATCH);
    const args = batch.flatMap((t) => [t.count, t.headSha1]);
    const [o] = await store.pipeline([["EVAL", UNLINK_IF_UNCHANGED, batch.length, ...batch.map((t) => t.key), ...args]], { idempotent: true });
    asArray(unwrap(o)).forEach((r, j) => {
      const v = asInt(r);
      (v === 1 ? result.deleted : v === 0 ? result.changed : result.gone).push(batch[j]);
    });
    onProgress?.(Math.min(i + BATCH, targets.length));
  }
  return result;
}
