// Replacing the summarized tail of a session with its summary, atomically and
// without losing what the app appends meanwhile. The list grows at its head,
// so the change is anchored at the tail: the script first checks that the
// oldest N elements are exactly the ones that were summarized.
import { createHash } from "node:crypto";
import type { Store } from "../store/types.js";
import { asArray, asInt, unwrap } from "../store/replies.js";

/**
 * KEYS[1] session; ARGV[1] N tail elements summarized; ARGV[2] SHA-1 over the
 * SHA-1s of those elements (oldest last, as LRANGE returns them); ARGV[3] the
 * summary element. → {status, length}: 1 compacted, 2 already done (a retry
 * whose first answer was lost), 0 the tail changed: nothing written.
 */
const COMPACT = `
local key, n, want, summary = KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3]
if redis.call('LINDEX', key, -1) == summary then return {2, redis.call('LLEN', key)} end
local tail = redis.call('LRANGE', key, -n, -1)
if #tail ~= n then return {0, redis.call('LLEN', key)} end
local hashes = {}
for i, e in ipairs(tail) do hashes[i] = redis.sha1hex(e) end
if redis.sha1hex(table.concat(hashes, '')) ~= want then return {0, redis.call('LLEN', key)} end
local pttl = redis.call('PTTL', key)
redis.call('LTRIM', key, 0, -(n + 1))
redis.call('RPUSH', key, summary)
-- Trimming every element deletes the key; the recreated list gets its TTL back.
if pttl > 0 and redis.call('PTTL', key) == -1 then redis.call('PEXPIRE', key, pttl) end
return {1, redis.call('LLEN', key)}
`;

export function tailDigest(tailNewestFirst: Buffer[]): string {
  const inner = tailNewestFirst.map((e) => createHash("sha1").update(e).digest("hex")).join("");
  return createHash("sha1").update(inner).digest("hex");
}

export type CompactStatus = "compacted" | "already" | "changed";

export async function compactTail(
  store: Store,
  key: string,
  tailNewestFirst: Buffer[],
  summary: string,
): Promise<{ status: CompactStatus; length: number }> {
  const [o] = await store.pipeline(
    [["EVAL", COMPACT, 1, key, tailNewestFirst.length, tailDigest(tailNewestFirst), summary]],
    { idempotent: true },
  );
  const [status, length] = asArray(unwrap(o)).map(asInt);
  return { status: status === 1 ? "compacted" : status === 2 ? "already" : "changed", length };
}
