// Sample conversations for the local endpoint, the demo and the tests, stored
// byte for byte the way their writers store them:
// - LangChain JS (UpstashRedisChatMessageHistory) and Flowise, which uses it:
//   LPUSH JSON.stringify(mapChatMessagesToStoredMessages([m])[0]) per message,
//   so the list is newest-first, under the bare session id, EXPIRE after writes;
// - LangChain Python: LPUSH json.dumps(message_to_dict(m)) under
//   "message_store:<session id>" (json.dumps' ", " / ": " separators, \u escapes).
import { Redis } from "ioredis";

type Role = "human" | "ai" | "system" | "tool";

export interface SampleMessage {
  type: Role;
  content: string;
  /** ai only: the tools the model asked to call. */
  toolCalls?: Array<{ name: string; args: Record<string, unknown>; id: string }>;
  /** tool only: the call this is the answer to. */
  toolCallId?: string;
  /** ai, LangChain Python only: the run id and token usage the model call recorded. */
  run?: { id: string; inputTokens: number; outputTokens: number };
}

export type SampleWriter = "langchain-js" | "flowise" | "langchain-python";

export interface SampleSession {
  /** The session id an app passes to its message history. */
  id: string;
  /** The Redis key the writer stores it under. */
  key: string;
  writer: SampleWriter;
  ttlSeconds?: number;
  /** In conversation order, oldest first. */
  messages: SampleMessage[];
}

export const PYTHON_KEY_PREFIX = "message_store:";
/** A key that is not a conversation, so tools have something to skip. */
export const SAMPLE_CONFIG_KEY = "app:config";
const SAMPLE_CONFIG = JSON.stringify({ model: "gpt-4o-mini", temperature: 0.2, memoryWindow: 20 });

const DAY = 24 * 60 * 60;

export const SAMPLE_SESSIONS: readonly SampleSession[] = [
  {
    id: "user-42",
    key: "user-42",
    writer: "langchain-js",
    messages: [
      { type: "system", content: "You are a friendly travel assistant. Keep answers short and practical." },
      { type: "human", content: "I'm going to Lisbon for 3 days in May. What should I not miss?" },
      {
        type: "ai",
        content:
          "Three days is a good fit for Lisbon:\n1. Alfama and the Castelo de São Jorge at sunset\n2. Belém: the tower, the monastery and a pastel de nata at the original bakery\n3. A day trip to Sintra (go early, it gets busy)",
      },
      { type: "human", content: "I prefer trains over buses. How do I get to Sintra?" },
      {
        type: "ai",
        content:
          "Take the train from Rossio station: about 40 minutes, every 20 minutes or so, and the same Viva Viagem card you use for the metro works.",
      },
    ],
  },
  {
    id: "support-ticket-1017",
    key: "support-ticket-1017",
    writer: "langchain-js",
    ttlSeconds: 7 * DAY,
    messages: [
      { type: "system", content: "You are the support agent of Acme Shop. Look orders up before answering." },
      { type: "human", content: "Hi, my order 1017 still hasn't arrived. It's been 9 days." },
      {
        type: "ai",
        content: "",
        toolCalls: [{ name: "lookup_order", args: { order_id: "1017" }, id: "call_Qm7vT2xJ9aL4" }],
      },
      {
        type: "tool",
        content: '{"order_id":"1017","status":"in_transit","carrier":"DHL","eta":"2025-03-14"}',
        toolCallId: "call_Qm7vT2xJ9aL4",
      },
      {
        type: "ai",
        content:
          "Sorry for the wait! Order 1017 is with DHL and should arrive by March 14. I've sent the tracking link to your email.",
      },
      { type: "human", content: "Thanks, that helps." },
    ],
  },
  {
    // Flowise keys its memory by chat id, a UUID, and sets a session TTL.
    id: "4f9d2c1e-8b7a-4e3f-9a21-6c5d0e7b3a18",
    key: "4f9d2c1e-8b7a-4e3f-9a21-6c5d0e7b3a18",
    writer: "flowise",
    ttlSeconds: DAY,
    messages: [
      { type: "human", content: "What can I cook tonight with eggs, chicken and rice? 🍳" },
      {
        type: "ai",
        content:
          "Try oyakodon (親子丼): simmer chicken and onion in dashi, soy sauce and mirin, pour beaten eggs over, and serve on rice. About 20 minutes. 🍚",
      },
      { type: "human", content: "どのくらい辛いですか？" },
      { type: "ai", content: "全然辛くないですよ。甘じょっぱい味です。七味唐辛子を少しかけると、ピリッとします 🌶️" },
    ],
  },
  {
    id: "demo-onboarding",
    key: "demo-onboarding",
    writer: "langchain-js",
    ttlSeconds: 60 * 60,
    messages: [
      { type: "human", content: "Hi! What can you do?" },
      {
        type: "ai",
        content: "I can answer questions about your account, track orders and remember what we talked about.",
      },
    ],
  },
  {
    id: "user-7",
    key: "user-7",
    writer: "langchain-js",
    messages: [
      { type: "human", content: 'How do I read a JSON file in Node without "require"?' },
      {
        type: "ai",
        content:
          'Use `fs/promises` and `JSON.parse`:\n\n```js\nimport { readFile } from "node:fs/promises";\n\nconst config = JSON.parse(await readFile("config.json", "utf8"));\n```\n\nTop-level `await` works in ES modules (`"type": "module"`).',
      },
      { type: "human", content: "And if the file is missing?" },
      {
        type: "ai",
        content:
          'Catch the error and check its code:\n\n```js\ntry {\n  return JSON.parse(await readFile(path, "utf8"));\n} catch (err) {\n  if (err.code === "ENOENT") return {};\n  throw err;\n}\n```',
      },
    ],
  },
  {
    id: "py-3f9a2c",
    key: `${PYTHON_KEY_PREFIX}py-3f9a2c`,
    writer: "langchain-python",
    ttlSeconds: 2 * DAY,
    messages: [
      { type: "human", content: "Can you summarise our refund policy in one sentence?" },
      {
        type: "ai",
        content: "Unused items can be returned within 30 days for a full refund to the original payment method.",
        run: { id: "run-0b7e5c3a-2f41-4d8e-9a6b-71c2d4e8f905", inputTokens: 38, outputTokens: 21 },
      },
      { type: "human", content: "Does that apply to the café vouchers too?" },
      {
        type: "ai",
        content: "No: vouchers are non-refundable, but they never expire.",
        run: { id: "run-5d1a9e76-c3b2-4f07-8e15-a9f46b2c0d33", inputTokens: 71, outputTokens: 14 },
      },
    ],
  },
];

export const SAMPLE_SESSION_IDS: readonly string[] = SAMPLE_SESSIONS.map((s) => s.id);

/** Every key seed() writes. */
export const SAMPLE_KEYS: readonly string[] = [...SAMPLE_SESSIONS.map((s) => s.key), SAMPLE_CONFIG_KEY];

export interface SeedResult {
  /** Sample sessions and messages written. */
  sessions: number;
  messages: number;
  /** Keys written. */
  keys: string[];
  /** Sample keys that already existed: left exactly as they were. */
  skipped: string[];
}

/** Writes a sample list only where no key exists: the elements come newest first, then EXPIRE. */
const SEED_LIST = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #ARGV do redis.call('LPUSH', KEYS[1], ARGV[i]) end
if tonumber(ARGV[1]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1`;

/**
 * Write the samples, never touching a key that exists (whatever it holds, a
 * user's own user-42 included): such a key is skipped and reported. Seeding
 * twice leaves the database as the first seeding did.
 */
export async function seed(target: string | Redis): Promise<SeedResult> {
  const redis = typeof target === "string" ? connect(target) : target;
  let written: boolean[];
  try {
    // One MULTI: readers never see a half-seeded database, and the existence
    // check and the write of each key are one step.
    const batch = redis.multi();
    for (const session of SAMPLE_SESSIONS) {
      const encode = session.writer === "langchain-python" ? pythonStoredMessage : jsStoredMessage;
      batch.eval(SEED_LIST, 1, session.key, session.ttlSeconds ?? 0, ...session.messages.map(encode));
    }
    batch.set(SAMPLE_CONFIG_KEY, SAMPLE_CONFIG, "NX");
    const replies = await batch.exec();
    const failure = replies?.find(([err]) => err)?.[0];
    if (failure) throw failure;
    if (!replies) throw new Error("the seeding transaction was discarded");
    written = replies.map(([, reply]) => reply === 1 || reply === "OK");
  } finally {
    if (redis !== target) redis.disconnect();
  }
  const sessions = SAMPLE_SESSIONS.filter((_, i) => written[i]);
  return {
    sessions: sessions.length,
    messages: sessions.reduce((n, s) => n + s.messages.length, 0),
    keys: SAMPLE_KEYS.filter((_, i) => written[i]),
    skipped: SAMPLE_KEYS.filter((_, i) => !written[i]),
  };
}

/** A connection for one seeding: no reconnects, so an unreachable server fails the commands at once. */
function connect(url: string): Redis {
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  // The failed commands report the error; the event would only repeat it.
  redis.on("error", () => {});
  return redis;
}

/** One list element as LangChain JS 1.x writes it (field order matters for byte equality). */
export function jsStoredMessage(m: SampleMessage): string {
  const meta = { additional_kwargs: {}, response_metadata: {} };
  let data: Record<string, unknown>;
  if (m.type === "ai") {
    const toolCalls = (m.toolCalls ?? []).map((c) => ({ name: c.name, args: c.args, type: "tool_call", id: c.id }));
    data = { content: m.content, tool_calls: toolCalls, invalid_tool_calls: [], ...meta };
  } else if (m.type === "tool") {
    data = { content: m.content, tool_call_id: m.toolCallId, ...meta };
  } else {
    data = { content: m.content, ...meta };
  }
  return JSON.stringify({ type: m.type, data });
}

/** One list element as LangChain Python writes it: json.dumps of message_to_dict (pydantic model_dump order). */
export function pythonStoredMessage(m: SampleMessage): string {
  const base = { content: m.content, additional_kwargs: {}, response_metadata: {}, type: m.type, name: null, id: null };
  let data: Record<string, unknown> = base;
  if (m.type === "ai") {
    const usage = m.run && {
      input_tokens: m.run.inputTokens,
      output_tokens: m.run.outputTokens,
      total_tokens: m.run.inputTokens + m.run.outputTokens,
    };
    data = {
      ...base,
      response_metadata: m.run ? { finish_reason: "stop", model_name: "gpt-4o-mini-2024-07-18" } : {},
      id: m.run?.id ?? null,
      example: false,
      tool_calls: [],
      invalid_tool_calls: [],
      usage_metadata: usage ?? null,
    };
  } else if (m.type === "human") {
    data = { ...base, example: false };
  }
  return pythonJsonDumps({ type: m.type, data });
}

/** Python's json.dumps defaults: ", " and ": " separators, non-ASCII as lower-case \uXXXX. */
function pythonJsonDumps(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (typeof value === "object") {
    const fields = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`,
    );
    return `{${fields.join(", ")}}`;
  }
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  return JSON.stringify(value);
}
