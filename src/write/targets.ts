// What a bulk command acts on: explicit session ids, or every list matching a
// pattern, each with the length and newest element seen (for guards and prompts).
import { createHash } from "node:crypto";
import type { Store } from "../store/types.js";
import type { KeySpace } from "../sessions/keys.js";
import { asBytes, asInt, asText, unwrap } from "../store/replies.js";
import { scanKeys, type ScanOptions } from "../sessions/scan.js";
import { ttlFromReply } from "../duration/duration.js";
import { wrongType } from "../history/show.js";

export interface Target {
  sessionId: string;
  key: string;
  /** "list", "none", or another Redis type. */
  type: string;
  count: number;
  ttlSeconds: number | null;
  /** SHA-1 of the newest element, to notice a write between look and act. */
  headSha1: string;
}

function sha1(b: Buffer | null): string {
  return b ? createHash("sha1").update(b).digest("hex") : "";
}

export async function targetsById(store: Store, keys: KeySpace, ids: string[]): Promise<Target[]> {
  const cmds = ids.flatMap((id) => {
    const k = keys.key(id);
    return [
      ["TYPE", k],
      ["LLEN", k],
      ["TTL", k],
      ["LINDEX", k, 0],
    ];
  });
  const o = await store.pipeline(cmds, { idempotent: true });
  return ids.map((id, i) => {
    const type = asText(unwrap(o[4 * i]));
    const isList = type === "list";
    return {
      sessionId: id,
      key: keys.key(id),
      type,
      count: isList ? asInt(unwrap(o[4 * i + 1])) : 0,
      ttlSeconds: ttlFromReply(asInt(unwrap(o[4 * i + 2]))),
      headSha1: isList ? sha1(asBytes(unwrap(o[4 * i + 3]))) : "",
    };
  });
}

/**
 * The sessions named by id that exist (lists), and the ids that do not. A key
 * of another type is refused before anything is written: `refusal` says what
 * is not done to it ("not deleting it").
 */
export async function listTargetsById(
  store: Store,
  keys: KeySpace,
  ids: string[],
  refusal: string,
): Promise<{ targets: Target[]; missing: string[] }> {
  const targets: Target[] = [];
  const missing: string[] = [];
  for (const t of await targetsById(store, keys, ids)) {
    if (t.type === "none") missing.push(t.sessionId);
    else if (t.type !== "list") throw wrongType(t.key, t.type, refusal);
    else targets.push(t);
  }
  return { targets, missing };
}

export async function targetsByPattern(
  store: Store,
  keys: KeySpace,
  pattern: string,
  opts: ScanOptions = {},
): Promise<Target[]> {
  const out: Target[] = [];
  const plan = {
    commands: (k: string) => [
      ["LLEN", k],
      ["TTL", k],
      ["LINDEX", k, 0],
    ],
    read: (k: string, o: import("../store/types.js").Outcome[]): Target | null => {
      if (!o[0].ok || !o[1].ok || !o[2].ok) return null;
      const count = asInt(o[0].value);
      if (count === 0) return null;
      return {
        sessionId: keys.sessionId(k),
        key: k,
        type: "list",
        count,
        ttlSeconds: ttlFromReply(asInt(o[1].value)),
        headSha1: sha1(o[2].value === null ? null : asBytes(o[2].value)),
      };
    },
  };
  for await (const page of scanKeys(store, keys, plan, { ...opts, pattern, readAhead: true })) out.push(...page);
  return out;
}
