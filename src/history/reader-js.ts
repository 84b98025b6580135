// How LangChain JS and Flowise load a session, element by element. Both read
// the same way, so one model serves both:
//
// - LangChain JS `UpstashRedisChatMessageHistory.getMessages()`
//   (@langchain/community, stores/message/upstash_redis.ts) and Flowise's
//   Upstash memory node (`BufferMemoryExtended.getChatMessages()`,
//   UpstashRedisBackedChatMemory.ts) call `lrange(key, 0, -1)` through
//   @upstash/redis, reverse it, keep the elements for which
//   `x.type !== undefined && x.data.content !== undefined`, and map each kept
//   one with `mapStoredMessageToChatMessage` (@langchain/core messages/utils.ts).
// - @upstash/redis decodes each base64 reply with a non-fatal TextDecoder
//   (invalid bytes become U+FFFD, a leading BOM is dropped), then JSON.parses
//   every element, keeping the string when that fails (automatic
//   deserialisation, `parseResponse`).
// - The filter itself throws for `null` (null.type) and for an object with a
//   type but no `data` (undefined.content): a TypeError, and the whole load
//   fails. A string, number, boolean or array has no `type` and is dropped
//   without a word, as is an object without `data.content`.
// - The mapping throws `Got unexpected type: X` for a type other than human,
//   ai, system, function, tool and generic (so Python's `chat` breaks it), and
//   for a function message without `name`, a tool message without
//   `tool_call_id` or a generic one without `role`. The message constructors
//   accept any content (test/e2e/readers.test.ts runs the real reader on each
//   shape and holds this model to it).
import type { ElementProblem } from "./codec.js";

export type Outcome = "loads" | "dropped" | "breaks";

export interface ReaderVerdict {
  outcome: Outcome;
  /** Why it is dropped or breaks, in the reader's own terms (absent when it loads). */
  why?: string;
  problem?: ElementProblem;
}

export const LOADS: ReaderVerdict = { outcome: "loads" };

/** The types mapStoredMessageToChatMessage knows, and the field each one requires. */
const JS_TYPES: Record<string, { field: string; problem: ElementProblem; error: string } | null> = {
  human: null,
  ai: null,
  system: null,
  function: { field: "name", problem: "missing data.name", error: "Name must be defined for function messages" },
  tool: {
    field: "tool_call_id",
    problem: "missing data.tool_call_id",
    error: "Tool call ID must be defined for tool messages",
  },
  generic: { field: "role", problem: "missing data.role", error: "Role must be defined for chat messages" },
};

const lenient = new TextDecoder("utf-8");

/** What @upstash/redis hands the reader for one stored element, and whether it was JSON. */
export function upstashDeserialize(bytes: Buffer): { value: unknown; json: boolean } {
  const text = lenient.decode(bytes);
  try {
    return { value: JSON.parse(text), json: true };
  } catch {
    return { value: text, json: false };
  }
}

function dropped(problem: ElementProblem, why: string): ReaderVerdict {
  return { outcome: "dropped", problem, why };
}

function breaks(problem: ElementProblem, why: string): ReaderVerdict {
  return { outcome: "breaks", problem, why };
}

export function langchainJsVerdict(bytes: Buffer): ReaderVerdict {
  const { value: x, json } = upstashDeserialize(bytes);
  if (!json) return dropped("not JSON", "not JSON: kept as a string, which has no type");
  if (x === null) return breaks("not an object", "TypeError: Cannot read properties of null (reading 'type')");
  // Deserialised once only: a message encoded twice stays a string.
  if (typeof x === "string")
    return dropped("JSON in a string", "JSON in a string: deserialised once, it is a string with no type");
  if (typeof x !== "object" || Array.isArray(x))
    return dropped("not an object", `a JSON ${Array.isArray(x) ? "array" : typeof x}, which has no type`);
  const o = x as Record<string, unknown>;
  if (o.type === undefined) return dropped("missing type", "no type");
  if (o.data === undefined || o.data === null)
    return breaks("missing data", `TypeError: Cannot read properties of ${o.data} (reading 'content')`);
  const data = typeof o.data === "object" ? (o.data as Record<string, unknown>) : undefined;
  if (data?.content === undefined) return dropped("missing data.content", "no data.content");
  if (typeof o.type !== "string" || !Object.hasOwn(JS_TYPES, o.type)) {
    return breaks("unknown type", `Error: Got unexpected type: ${String(o.type)}`);
  }
  const needs = JS_TYPES[o.type];
  if (needs && data[needs.field] === undefined) return breaks(needs.problem, `Error: ${needs.error}`);
  return LOADS;
}
