// "The bot forgot the conversation" is often the right conversation under a
// slightly different key: LangChain Python's `message_store:` prefix, another
// case, stray whitespace. One pipelined request checks the usual suspects.
import type { Store } from "../store/types.js";
import { asInt, asText } from "../store/replies.js";
import type { KeySpace } from "../keys.js";

export const LANGCHAIN_PYTHON_PREFIX = "message_store:";

export interface NearMiss {
  key: string;
  /** Why it is a candidate: "prefix message_store:", "other case", "whitespace". */
  reason: string;
  type: string;
  count: number;
}

export function nearMissCandidates(sessionId: string, keys: KeySpace): { key: string; reason: string }[] {
  const wanted = keys.key(sessionId);
  const out = new Map<string, string>();
  const add = (key: string, reason: string) => {
    if (key !== wanted && key !== "" && !out.has(key)) out.set(key, reason);
  };
  const ids = new Map<string, string>([[sessionId, ""]]);
  const trimmed = sessionId.trim();
  if (trimmed !== sessionId) ids.set(trimmed, "whitespace");
  for (const [id, why] of [...ids]) {
    for (const variant of [id.toLowerCase(), id.toUpperCase()]) {
      if (!ids.has(variant)) ids.set(variant, why || "other case");
    }
  }
  for (const [id, why] of ids) {
    add(keys.key(id), why || "other case");
    if (keys.prefix !== LANGCHAIN_PYTHON_PREFIX) add(LANGCHAIN_PYTHON_PREFIX + id, why ? `${why}, prefix ${LANGCHAIN_PYTHON_PREFIX}` : `prefix ${LANGCHAIN_PYTHON_PREFIX}`);
    if (keys.prefix) add(id, why ? `${why}, no prefix` : "no prefix");
  }
  return [...out].map(([key, reason]) => ({ key, reason }));
}

export async function findNearMisses(store: Store, sessionId: string, keys: KeySpace): Promise<NearMiss[]> {
  const candidates = nearMissCandidates(sessionId, keys);
  if (!candidates.length) return [];
  const outcomes = await store.pipeline(
    candidates.flatMap((c) => [["TYPE", c.key], ["LLEN", c.key]]),
    { idempotent: true },
  );
  const found: NearMiss[] = [];
  candidates.forEach((c, i) => {
    const t = outcomes[2 * i];
    const type = t.ok ? asText(t.value) : "none";
    if (type === "none") return;
    const l = outcomes[2 * i + 1];
    found.push({ ...c, type, count: type === "list" && l.ok ? asInt(l.value) : 0 });
  });
  return found;
}

export function describeNearMisses(misses: NearMiss[], keys: KeySpace): string | undefined {
  if (!misses.length) return undefined;
  const parts = misses.map((m) => {
    const id = m.key.startsWith(keys.prefix) ? keys.sessionId(m.key) : m.key;
    const what = m.type === "list" ? `${m.count} message${m.count === 1 ? "" : "s"}` : `a ${m.type}`;
    return `'${id}' (${m.reason}, ${what})`;
  });
  return `did you mean ${parts.join(", ")}?`;
}
