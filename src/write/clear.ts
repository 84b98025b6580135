// `clear`: delete sessions in batches, each only if it is still what the user
// was shown (and what --backup saved). A batch whose answer was lost is sent
// again; the sessions it then finds gone are reported as deleted, as repair
// reports its own earlier work.
import type { Store } from "../store/types.js";
import { asArray, asInt, unwrap } from "../store/replies.js";
import { multiKeyRequests } from "../store/shards.js";
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
/** The script's verdicts. */
const DELETED = 1;
const GONE = -2;

/** On a cluster a script may only touch one hash slot: each EVAL holds one slot's sessions. */
export async function unlinkUnchanged(
  store: Store,
  targets: Target[],
  onProgress?: (done: number) => void,
): Promise<ClearResult> {
  const verdicts: number[] = new Array(targets.length);
  const items = targets.map((t, index) => ({ t, index }));
  let done = 0;
  for (const request of await multiKeyRequests(store, items, (i) => i.t.key, BATCH)) {
    const cmds = request.map((batch) => [
      "EVAL",
      UNLINK_IF_UNCHANGED,
      batch.length,
      ...batch.map((i) => i.t.key),
      ...batch.flatMap((i) => [i.t.count, i.t.headSha1]),
    ]);
    // Sent again after a lost answer: a session now gone was most likely deleted by the first send.
    let resent = false;
    const outcomes = await store.pipeline(cmds, { idempotent: true, onResend: () => (resent = true) });
    request.forEach((batch, b) => {
      for (const [j, r] of asArray(unwrap(outcomes[b])).entries())
        verdicts[batch[j].index] = resent && asInt(r) === GONE ? DELETED : asInt(r);
      done += batch.length;
    });
    onProgress?.(done);
  }
  const result: ClearResult = { deleted: [], changed: [], gone: [] };
  for (const [i, t] of targets.entries()) {
    (verdicts[i] === DELETED ? result.deleted : verdicts[i] === 0 ? result.changed : result.gone).push(t);
  }
  return result;
}
