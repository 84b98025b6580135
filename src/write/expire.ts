// `expire`: set or remove the TTL of sessions, only ever on chat lists.
import type { Store } from "../store/types.js";
import { asArray, asInt, unwrap } from "../store/replies.js";
import { multiKeyRequests } from "../store/shards.js";

export type ExpireStatus = "ok" | "missing" | "not-a-list";
export interface ExpireResult {
  key: string;
  status: ExpireStatus;
  ttlSeconds: number | null;
}

const BATCH = 500;

/**
 * One EVAL per batch of keys: `expire <id>` is one request. On a cluster a
 * script may only touch one hash slot, so each EVAL holds one slot's keys.
 */
export async function expireKeys(store: Store, keys: string[], ttl: number | "persist"): Promise<ExpireResult[]> {
  const { EXPIRE } = await import("./scripts.js");
  const out: ExpireResult[] = new Array(keys.length);
  const items = keys.map((key, index) => ({ key, index }));
  for (const request of await multiKeyRequests(store, items, (i) => i.key, BATCH)) {
    const outcomes = await store.pipeline(
      request.map((batch) => ["EVAL", EXPIRE, batch.length, ...batch.map((i) => i.key), ttl]),
      { idempotent: true },
    );
    request.forEach((batch, b) => {
      asArray(unwrap(outcomes[b])).forEach((r, j) => {
        const v = asInt(r);
        const status: ExpireStatus = v === -2 ? "missing" : v === -3 ? "not-a-list" : "ok";
        out[batch[j].index] = { key: batch[j].key, status, ttlSeconds: v >= 0 ? v : null };
      });
    });
  }
  return out;
}
