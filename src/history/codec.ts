// The message codec: the only place that knows how LangChain (JS and Python)
// and Flowise store chat messages. A list element is the JSON of a
// StoredMessage, {"type": T, "data": {"content": ..., ...}}; lists are
// newest-first (LPUSH), so reading reverses them.
//
// An element is read the way LangChain JS and Flowise read it (see
// reader-js.ts): bytes decoded leniently (invalid UTF-8 becomes U+FFFD, a BOM
// is dropped), then the same checks in the same order as their filter, so
// what is shown as a message is what they keep, with the same problem named
// for what they do not. What only one reader rejects (a tool message without
// tool_call_id, Python's `chat` type in JS) is that reader's verdict, added
// by readers.ts.

export const KNOWN_TYPES = ["human", "ai", "system", "tool", "function", "generic", "chat"] as const;
export type StoredType = (typeof KNOWN_TYPES)[number];

/** What a stored type is shown as. generic/chat messages show their own data.role. */
const ROLE_OF_TYPE: Record<StoredType, string> = {
  human: "user",
  ai: "assistant",
  system: "system",
  tool: "tool",
  function: "tool",
  generic: "generic",
  chat: "generic",
};

/** User-facing roles accepted on input, mapped to the stored type. */
export const TYPE_OF_ROLE: Record<string, StoredType> = {
  user: "human",
  human: "human",
  assistant: "ai",
  ai: "ai",
  system: "system",
  tool: "tool",
};

export interface StoredMessage {
  type: string;
  data: { content: unknown; [k: string]: unknown };
}

export type ElementProblem =
  | "not valid UTF-8"
  | "not JSON"
  | "JSON in a string"
  | "not an object"
  | "missing type"
  | "missing data"
  | "missing data.content"
  | "unknown type"
  // Problems only some readers have (see reader-js.ts, reader-python.ts).
  | "missing data.name"
  | "missing data.tool_call_id"
  | "missing data.role"
  | "invalid field";

export interface DecodedMessage {
  /** 1-based, oldest first. */
  index: number;
  /** user / assistant / system / tool, a generic message's own role, or "unrecognized". */
  role: string;
  /** The stored type, or "unrecognized". */
  type: string;
  /** Display text: content parts joined, images as [image], tool calls summarised. */
  content: string;
  /** The element exactly as stored (UTF-8 text; see rawBytes for invalid UTF-8). */
  raw: string;
  rawBytes: Buffer;
  /** Why the element is not a readable message (unrecognized only). */
  problem?: ElementProblem;
  /** What a reader makes of a message that is shown differently from how it is stored (null content...). */
  notes?: string[];
  /** The message's data (additional_kwargs, tool_calls, name, id...) as stored. */
  data?: Record<string, unknown>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** As @upstash/redis decodes replies: invalid bytes become U+FFFD, a leading BOM is dropped. */
const lenient = new TextDecoder("utf-8");

export function isValidUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Classify one element; never throws, whatever the bytes. */
export function parseElement(
  bytes: Buffer,
): { ok: true; message: StoredMessage; notes: string[] } | { ok: false; problem: ElementProblem } {
  const notes: string[] = [];
  if (!isValidUtf8(bytes)) notes.push("not valid UTF-8: LangChain JS and Flowise read the bad bytes as U+FFFD");
  let value: unknown;
  try {
    value = JSON.parse(lenient.decode(bytes));
  } catch {
    // Deeply nested JSON overflows the parser's stack: that is "not JSON" to us.
    return { ok: false, problem: "not JSON" };
  }
  if (typeof value === "string") return { ok: false, problem: "JSON in a string" };
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, problem: "not an object" };
  // The readers' filter: `x.type !== undefined && x.data.content !== undefined`, in that order.
  const v = value as Record<string, unknown>;
  if (v.type === undefined) return { ok: false, problem: "missing type" };
  if (v.data === undefined || v.data === null) return { ok: false, problem: "missing data" };
  const data = v.data as Record<string, unknown>;
  if (typeof data !== "object" || Array.isArray(data) || data.content === undefined)
    return { ok: false, problem: "missing data.content" };
  if (typeof v.type !== "string" || !(KNOWN_TYPES as readonly string[]).includes(v.type))
    return { ok: false, problem: "unknown type" };
  // LangChain's message constructors: `this.content = fields.content ?? []`.
  if (data.content === null) notes.push("data.content is null: LangChain JS and Flowise load it as empty content ([])");
  return { ok: true, message: { type: v.type, data: data as StoredMessage["data"] }, notes };
}

export function roleOf(m: StoredMessage): string {
  const role = ROLE_OF_TYPE[m.type as StoredType] ?? m.type;
  if (role === "generic") {
    const own = m.data.role;
    return typeof own === "string" && own ? own : "generic";
  }
  return role;
}

/** The content a reader's message holds: LangChain's constructors turn `null` into `[]`. */
export function messageContent(m: StoredMessage): unknown {
  return m.data.content ?? [];
}

/** Content as text: strings as they are, content parts joined, images as [image]. */
export function contentText(m: StoredMessage): string {
  const parts: string[] = [];
  const c = messageContent(m);
  if (typeof c === "string") parts.push(c);
  else if (Array.isArray(c)) {
    for (const p of c) parts.push(partText(p));
  } else parts.push(JSON.stringify(c) ?? "");
  const calls = m.data.tool_calls;
  if (Array.isArray(calls)) {
    for (const call of calls) {
      const name = typeof call?.name === "string" ? call.name : "?";
      parts.push(`[tool call ${name}(${safeJson(call?.args)})]`);
    }
  }
  return parts.filter((p) => p !== "").join(" ");
}

function partText(p: unknown): string {
  if (typeof p === "string") return p;
  if (p && typeof p === "object") {
    const part = p as Record<string, unknown>;
    if (part.type === "text" && typeof part.text === "string") return part.text;
    if (part.type === "image_url" || part.type === "image" || part.type === "input_image") return "[image]";
    if (typeof part.type === "string") return `[${part.type}]`;
  }
  return `[${typeof p}]`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v ?? {});
  } catch {
    return "…";
  }
}

/** One element as a message (index is filled in by the caller). */
export function decodeElement(bytes: Buffer, index: number): DecodedMessage {
  const parsed = parseElement(bytes);
  const raw = bytes.toString("utf8");
  if (!parsed.ok) {
    return {
      index,
      role: "unrecognized",
      type: "unrecognized",
      content: raw,
      raw,
      rawBytes: bytes,
      problem: parsed.problem,
    };
  }
  const m = parsed.message;
  const decoded: DecodedMessage = {
    index,
    role: roleOf(m),
    type: m.type,
    content: contentText(m),
    raw,
    rawBytes: bytes,
    data: m.data,
  };
  if (parsed.notes.length) decoded.notes = parsed.notes;
  return decoded;
}

/**
 * Only what a listing shows of a session's newest element: its role and
 * content, as decodeElement gives them, without keeping the raw text.
 */
export function decodeRoleAndContent(bytes: Buffer): { role: string; content: string } {
  const parsed = parseElement(bytes);
  if (!parsed.ok) return { role: "unrecognized", content: bytes.toString("utf8") };
  return { role: roleOf(parsed.message), content: contentText(parsed.message) };
}

/**
 * Elements as LRANGE returns them (newest first) → messages oldest first.
 * `firstIndex` is the 1-based position of the oldest element given.
 */
export function decodeHistory(newestFirst: Buffer[], firstIndex = 1): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  for (let i = newestFirst.length - 1, n = firstIndex; i >= 0; i--, n++) out.push(decodeElement(newestFirst[i], n));
  return out;
}

export interface NewMessage {
  type: StoredType;
  content: string;
  /** Stored in data.id: lets a retried write recognise it already happened. */
  id?: string;
  toolCallId?: string;
  name?: string;
  additionalKwargs?: Record<string, unknown>;
}

/**
 * The element exactly as LangChain JS's mapChatMessagesToStoredMessages (and
 * Flowise's toDict) writes it: same fields, same order. An id goes where
 * LangChain puts a message id.
 */
export function encodeMessage(m: NewMessage): string {
  const data: Record<string, unknown> = { content: m.content };
  if (m.type === "tool") {
    data.tool_call_id = m.toolCallId ?? "";
    if (m.name) data.name = m.name;
  }
  if (m.id) data.id = m.id;
  if (m.type === "ai") {
    data.tool_calls = [];
    data.invalid_tool_calls = [];
  }
  data.additional_kwargs = m.additionalKwargs ?? {};
  data.response_metadata = {};
  return JSON.stringify({ type: m.type, data });
}

/** Validate a complete StoredMessage given by the user (append --message-json). */
export function validateStoredMessage(
  text: string,
): { ok: true; element: string; message: StoredMessage } | { ok: false; reason: string } {
  const parsed = parseElement(Buffer.from(text, "utf8"));
  if (!parsed.ok) return { ok: false, reason: parsed.problem };
  const { message } = parsed;
  const c = message.data.content;
  if (typeof c !== "string" && !Array.isArray(c))
    return { ok: false, reason: "data.content must be a string or an array of content parts" };
  if ((message.type === "generic" || message.type === "chat") && typeof message.data.role !== "string") {
    return { ok: false, reason: `a ${message.type} message needs data.role` };
  }
  if (message.type === "tool" && typeof message.data.tool_call_id !== "string") {
    return { ok: false, reason: "a tool message needs data.tool_call_id" };
  }
  return { ok: true, element: JSON.stringify(message), message };
}
