// `expire`: set or remove the TTL of sessions, only ever on chat lists.
import type { Store } from "../store/types.js";
import { asArray, asInt, unwrap } from "../store/replies.js";

export type ExpireStatus = "ok" | "missing" | "not-a-list";
export interface ExpireResult {
  key: string;
  status: ExpireStatus;
  ttlSeconds: number | null;
}

const BATCH = 500;

/** One EVAL per batch of keys: `expire <id>` is one request. */
export async function expireKeys(store: Store, keys: string[], ttl: number | "persist"): Promise<ExpireResult[]> {
  const { EXPIRE } = await import("./scripts.js");
  const out: ExpireResult[] = [];
  for (let i = 0; i < keys.length; i += BATCH) {
    const batch = keys.slice(i, i + BATCH);
    const [o] = await store.pipeline([["EVAL", EXPIRE, batch.length, ...batch, ttl]], { idempotent: true });
    asArray(unwrap(o)).forEach((r, j) => {
      const v = asInt(r);
      const status: ExpireStatus = v === -2 ? "missing" : v === -3 ? "not-a-list" : "ok";
      out.push({ key: batch[j], status, ttlSeconds: v >= 0 ? v : null });
    });
  }
  return out;
}
