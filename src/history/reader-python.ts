// How LangChain Python loads a session. Python cannot run where this tool is
// built and tested, so this is a model written from the source, not a
// recording of the reader (the JS model, by contrast, is checked against the
// real reader in the tests):
//
// - langchain_community `UpstashRedisChatMessageHistory.messages` (and the
//   redis-py based `RedisChatMessageHistory`): `lrange(key, 0, -1)`, reversed,
//   `json.loads` on each element, then `messages_from_dict(items)`. The
//   upstash_redis client decodes replies with `b64decode(raw).decode()`
//   (strict UTF-8); redis-py's reader calls `m.decode("utf-8")`. Nothing is
//   filtered: the first element that fails to decode, parse or validate
//   raises, and the app gets no history at all.
// - langchain_core `_message_from_dict`: `message["type"]` must be one of the
//   types below (else ValueError "Got unexpected message type"), then
//   `Class(**message["data"])`, validated by pydantic.
// - Where langchain-core versions differ (0.3 requires `content`, 1.x lets an
//   AI message default it to ""), the stricter one is modelled: what this
//   says loads, loads on all of them.
// - Not modelled: JSON nested deeper than Python's recursion limit.
import type { ElementProblem } from "./codec.js";
import { LOADS, type ReaderVerdict } from "./reader-js.js";

/** Python type name → the message class's `type` literal and the field it requires. */
const PY_TYPES: Record<string, { required?: string; problem?: ElementProblem }> = {
  human: {},
  ai: {},
  system: {},
  chat: { required: "role", problem: "missing data.role" },
  function: { required: "name", problem: "missing data.name" },
  tool: { required: "tool_call_id", problem: "missing data.tool_call_id" },
  remove: { required: "id" },
  HumanMessageChunk: {},
  AIMessageChunk: {},
  SystemMessageChunk: {},
  ChatMessageChunk: { required: "role", problem: "missing data.role" },
  FunctionMessageChunk: { required: "name", problem: "missing data.name" },
  ToolMessageChunk: { required: "tool_call_id", problem: "missing data.tool_call_id" },
};

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function breaks(problem: ElementProblem, why: string): ReaderVerdict {
  return { outcome: "breaks", problem, why };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Python's name for a JSON value's type, as its error messages put it. */
function pyType(v: unknown): string {
  if (v === null) return "NoneType";
  if (Array.isArray(v)) return "list";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  return "dict";
}

/**
 * json.loads: JSON plus the NaN, Infinity and -Infinity literals, which
 * JSON.parse rejects. They stand in as 0 (a number, as Python's float is).
 */
export function pythonJsonLoads(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.startsWith("\ufeff")) return { ok: false }; // "Unexpected UTF-8 BOM"
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Only worth a second try when a Python-only literal occurs outside strings.
  }
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const literal = ["-Infinity", "Infinity", "NaN"].find((l) => text.startsWith(l, i));
    if (literal) {
      out += "0";
      i += literal.length - 1;
    } else out += c;
  }
  try {
    return { ok: true, value: JSON.parse(out) };
  } catch {
    return { ok: false };
  }
}

/** pydantic's `str | list[str | dict]`. */
function isContent(v: unknown): boolean {
  return typeof v === "string" || (Array.isArray(v) && v.every((p) => typeof p === "string" || isObject(p)));
}

export function langchainPythonVerdict(bytes: Buffer): ReaderVerdict {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    return breaks("not valid UTF-8", "UnicodeDecodeError: 'utf-8' codec can't decode the element");
  }
  const parsed = pythonJsonLoads(text);
  if (!parsed.ok) return breaks("not JSON", "json.decoder.JSONDecodeError");
  const m = parsed.value;
  if (!isObject(m)) {
    const t = pyType(m);
    const problem: ElementProblem = t === "str" ? "JSON in a string" : "not an object";
    return breaks(
      problem,
      t === "str"
        ? "TypeError: string indices must be integers"
        : t === "list"
          ? "TypeError: list indices must be integers or slices, not str"
          : `TypeError: '${t}' object is not subscriptable`,
    );
  }
  if (!Object.hasOwn(m, "type")) return breaks("missing type", "KeyError: 'type'");
  if (typeof m.type !== "string" || !Object.hasOwn(PY_TYPES, m.type)) {
    return breaks(
      "unknown type",
      `ValueError: Got unexpected message type: ${typeof m.type === "string" ? m.type : JSON.stringify(m.type)}`,
    );
  }
  if (!Object.hasOwn(m, "data")) return breaks("missing data", "KeyError: 'data'");
  if (!isObject(m.data))
    return breaks("missing data", `TypeError: argument after ** must be a mapping, not ${pyType(m.data)}`);
  return validateFields(m.type, m.data);
}

/** The pydantic validation of `Class(**data)`. */
function validateFields(type: string, data: Record<string, unknown>): ReaderVerdict {
  const invalid = (field: string, expected: string) =>
    breaks("invalid field", `ValidationError: ${field}: ${expected}`);
  const spec = PY_TYPES[type];
  const has = (k: string) => Object.hasOwn(data, k);
  if (type === "remove") {
    // RemoveMessage(id, **kwargs) refuses a content field outright.
    if (has("content")) return breaks("invalid field", "ValueError: RemoveMessage does not support 'content' field.");
  } else if (!has("content")) {
    return breaks("missing data.content", "ValidationError: content: Field required");
  } else if (!type.startsWith("Tool") && type !== "tool" && !isContent(data.content)) {
    // ToolMessage coerces any content to str; the others validate it.
    return invalid("content", "Input should be a valid string or list of strings and dicts");
  }
  if (spec.required) {
    const v = data[spec.required];
    const ok =
      spec.required === "tool_call_id"
        ? typeof v === "string" || typeof v === "number" || typeof v === "boolean"
        : spec.required === "id"
          ? typeof v === "string" || typeof v === "number"
          : typeof v === "string";
    if (!has(spec.required))
      return breaks(spec.problem ?? "invalid field", `ValidationError: ${spec.required}: Field required`);
    if (!ok) return invalid(spec.required, "Input should be a valid string");
  }
  for (const k of ["additional_kwargs", "response_metadata"]) {
    if (has(k) && !isObject(data[k])) return invalid(k, "Input should be a valid dictionary");
  }
  if (has("name") && data.name !== null && typeof data.name !== "string")
    return invalid("name", "Input should be a valid string");
  if (has("id") && type !== "remove" && data.id !== null && typeof data.id !== "string" && typeof data.id !== "number")
    return invalid("id", "Input should be a valid string");
  if (has("type") && data.type !== type) return invalid("type", `Input should be '${type}'`);
  if (has("example") && typeof data.example !== "boolean" && data.example !== 0 && data.example !== 1)
    return invalid("example", "Input should be a valid boolean");
  if (type === "ai" || type === "AIMessageChunk") return validateAiFields(data);
  return LOADS;
}

function validateAiFields(data: Record<string, unknown>): ReaderVerdict {
  const invalid = (field: string, expected: string) => breaks("invalid field", `${field}: ${expected}`);
  const optionalString = (v: unknown) => v === undefined || v === null || typeof v === "string";
  // tool_call(**{k: v ... if k not in {"type", "extras"}}): keyword-only name, args, id.
  if (Object.hasOwn(data, "tool_calls")) {
    if (!Array.isArray(data.tool_calls)) return invalid("tool_calls", "ValidationError: Input should be a valid list");
    for (const tc of data.tool_calls) {
      if (!isObject(tc)) return invalid("tool_calls", "AttributeError: tool call has no items()");
      const extra = Object.keys(tc).find((k) => !["name", "args", "id", "type", "extras"].includes(k));
      if (extra) return invalid("tool_calls", `TypeError: tool_call() got an unexpected keyword argument '${extra}'`);
      if (!Object.hasOwn(tc, "name") || !Object.hasOwn(tc, "args") || !Object.hasOwn(tc, "id")) {
        return invalid(
          "tool_calls",
          "TypeError: tool_call() missing a required keyword-only argument (name, args, id)",
        );
      }
      if (typeof tc.name !== "string" || !isObject(tc.args) || !optionalString(tc.id))
        return invalid("tool_calls", "ValidationError: name, args or id of the wrong type");
    }
  }
  if (Object.hasOwn(data, "invalid_tool_calls")) {
    if (!Array.isArray(data.invalid_tool_calls))
      return invalid("invalid_tool_calls", "ValidationError: Input should be a valid list");
    for (const tc of data.invalid_tool_calls) {
      if (!isObject(tc)) return invalid("invalid_tool_calls", "AttributeError: invalid tool call has no items()");
      const extra = Object.keys(tc).find(
        (k) => !["name", "args", "id", "error", "type", "extras", "index"].includes(k),
      );
      if (extra)
        return invalid(
          "invalid_tool_calls",
          `TypeError: invalid_tool_call() got an unexpected keyword argument '${extra}'`,
        );
      if (!["name", "args", "id", "error"].every((k) => optionalString(tc[k])))
        return invalid("invalid_tool_calls", "ValidationError: fields should be strings or null");
    }
  }
  const usage = data.usage_metadata;
  if (usage !== undefined && usage !== null) {
    const counts =
      isObject(usage) && ["input_tokens", "output_tokens", "total_tokens"].every((k) => Number.isInteger(usage[k]));
    if (!counts)
      return invalid(
        "usage_metadata",
        "ValidationError: input_tokens, output_tokens and total_tokens are required whole numbers",
      );
  }
  return LOADS;
}
