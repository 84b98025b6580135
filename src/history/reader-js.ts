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
//   take any content (`null` becomes `[]`), except the AIMessage constructor
//   (@langchain/core messages/ai.ts), which throws on a few shapes of an
//   `ai` element: see aiMessageError.
// - Flowise 3.1.4 (flowise-components) pins @langchain/core 1.1.20, whose
//   AIMessage constructor is stricter than current releases for messages in
//   the v1 output format; the model says "breaks" when either throws.
// test/e2e/readers.test.ts runs the real reader on each shape and
// test/unit/reader-property.test.ts both versions of the mapping on generated
// shapes, and hold this model to them.
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
  if (o.type === "ai") {
    const error = aiMessageError(data);
    if (error) return breaks("invalid field", error);
  }
  return LOADS;
}

/**
 * Where `new AIMessage(data)` throws (@langchain/core messages/ai.ts, 1.4 and
 * 1.1.20): the checks run before the base class defaults its fields, so a
 * field of the wrong type reaches code that assumes an object or an array.
 */
function aiMessageError(data: Record<string, unknown>): string | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors untyped JavaScript property access on any JSON value
  const kwargs = data.additional_kwargs as any;
  const raw = kwargs?.tool_calls;
  const given = data.tool_calls;
  // `rawToolCalls.length > 0 && (toolCalls === undefined || toolCalls.length === 0)`
  // biome-ignore lint/suspicious/noExplicitAny: as above
  if (raw != null && (raw as any).length > 0 && given === null)
    return "TypeError: Cannot read properties of null (reading 'length')";
  const meta = data.response_metadata;
  if (meta !== undefined && (meta === null || typeof meta !== "object"))
    return `TypeError: Cannot use 'in' operator to search for 'output_version' in ${String(meta)}`;
  if ((meta as Record<string, unknown> | undefined)?.output_version !== "v1") return undefined;
  // The v1 output format: content becomes content blocks, merged with tool_calls.
  const toolCalls = raw != null && given === undefined ? [] : (given ?? []);
  const content = data.content;
  if (!Array.isArray(content))
    return "TypeError: initParams.contentBlocks.push is not a function (in @langchain/core 1.1.20, Flowise 3.1.4's: a v1 AI message's content must be an array)";
  if (toolCalls && !Array.isArray(toolCalls)) return "TypeError: initParams.tool_calls.filter is not a function";
  if (Array.isArray(toolCalls) && toolCalls.includes(null))
    return "TypeError: Cannot read properties of null (reading 'id')";
  if (content.includes(null)) return "TypeError: Cannot read properties of null (reading 'type')";
  const callBlock = content.some(
    (b) => b !== null && typeof b === "object" && (b as Record<string, unknown>).type === "tool_call",
  );
  if (!toolCalls && callBlock) return "TypeError: initParams.tool_calls?.some is not a function";
  return undefined;
}

/**
 * The types Flowise's chat view keeps. Flowise's Upstash memory node returns
 * the loaded messages as they are when asked for `returnBaseMessages` (what
 * its agents and chains do), and otherwise converts them for its chat UI and
 * API with `convertBaseMessagetoIMessage` (flowise-components 3.1.4,
 * dist/src/utils.js): human → userMessage, ai and system → apiMessage, and
 * every other type (tool, function, generic) left out without a word.
 */
export const FLOWISE_CHAT_VIEW_TYPES: readonly string[] = ["human", "ai", "system"];

/** Whether Flowise's chat view shows this element, given that it loads. */
export function inFlowiseChatView(bytes: Buffer): boolean {
  const { value } = upstashDeserialize(bytes);
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === "string" && FLOWISE_CHAT_VIEW_TYPES.includes(type);
}
