// `append`: one element, written exactly as LangChain/Flowise write it, in one
// atomic request together with its EXPIRE, and never twice.
import { randomUUID } from "node:crypto";
import type { Store } from "../store/types.js";
import { asArray, asInt, unwrap } from "../store/replies.js";
import { ttlFromReply } from "../duration/duration.js";
import { UsageError } from "../errors/errors.js";
import { encodeMessage, isValidUtf8, TYPE_OF_ROLE, validateStoredMessage, type StoredType } from "../history/codec.js";
import { APPEND } from "./scripts.js";
import { wrongType } from "../history/show.js";
import { FLOWISE_CHAT_VIEW_TYPES, inFlowiseChatView } from "../history/reader-js.js";
import { readersOf } from "../history/readers.js";

/** How far back a retried append looks for itself. */
const DEDUPE_WINDOW = 200;

export interface AppendResult {
  applied: boolean;
  count: number;
  ttlSeconds: number | null;
  element: string;
}

export function storedTypeOf(role: string): StoredType {
  // Own keys only: `--role constructor` must not find Object.prototype's.
  const key = role.toLowerCase();
  const t = Object.hasOwn(TYPE_OF_ROLE, key) ? TYPE_OF_ROLE[key] : undefined;
  if (!t)
    throw new UsageError(`unknown role '${role}'`, "use user, assistant, system or tool (or LangChain's human, ai)");
  return t;
}

/**
 * The message text. Text read from stdin or a file loses its one final line
 * ending (`echo hi` sends "hi\n"; `$(...)` would drop it too), nothing more.
 * An empty message is refused: nothing is written.
 */
export function contentFromBytes(bytes: Buffer, readFromStream: boolean): string {
  if (!isValidUtf8(bytes)) throw new UsageError("the content is not valid UTF-8");
  let text = bytes.toString("utf8");
  if (readFromStream) text = text.replace(/\r?\n$/, "");
  if (text === "") {
    throw new UsageError(
      "the message is empty: nothing was written",
      "give the text as an argument, `-` for stdin, or --file PATH",
    );
  }
  return text;
}

/** A new element from a role and content; the id makes retries recognisable. */
export function elementFor(role: string, content: string, toolCallId?: string): string {
  const type = storedTypeOf(role);
  if (type === "tool" && !toolCallId) throw new UsageError("a tool message needs --tool-call-id");
  return encodeMessage({ type, content, id: randomUUID(), toolCallId });
}

/** A complete StoredMessage from the user, given an id when it has none. */
export function elementFromJson(text: string): string {
  const v = validateStoredMessage(text);
  if (!v.ok)
    throw new UsageError(
      `--message-json is not a StoredMessage: ${v.reason}`,
      `expected {"type":"human","data":{"content":"..."}}`,
    );
  if (typeof v.message.data.id === "string" && v.message.data.id) return v.element;
  const data = { ...v.message.data, id: randomUUID() };
  return JSON.stringify({ type: v.message.type, data });
}

export async function appendElement(
  store: Store,
  key: string,
  element: string,
  ttlSeconds?: number,
): Promise<AppendResult> {
  const [o] = await store.pipeline([["EVAL", APPEND, 1, key, element, ttlSeconds ?? "", DEDUPE_WINDOW]], {
    idempotent: true,
  });
  if (!o.ok && o.error.startsWith("WRONGTYPE")) {
    throw wrongType(key, "key of another type");
  }
  const [applied, count, ttl] = asArray(unwrap(o)).map(asInt);
  return { applied: applied === 1, count, ttlSeconds: ttlFromReply(ttl), element };
}

/**
 * A note for a message Flowise's chat view will not show (a tool message).
 * Nothing in Redis says which app reads a key, so it is said for every key
 * that LangChain JS and Flowise read (all but LangChain Python's prefix).
 */
export function flowiseChatViewNote(key: string, element: string): string | undefined {
  if (!readersOf(key).includes("langchain-js") || inFlowiseChatView(Buffer.from(element, "utf8"))) return undefined;
  const type = (JSON.parse(element) as { type: string }).type;
  return `note: if Flowise reads this session, its chat view (the chat UI and the API's history: getChatMessages) will not show this ${type} message, as it shows ${FLOWISE_CHAT_VIEW_TYPES.join(", ")} messages only; its agents and chains still read it`;
}
