// The tools: names, descriptions, input schemas and annotations, which
// `tools/list` needs at once; each body loads on its first call. A read tool
// does what its command does and answers the command's --json object; a write
// tool exists only under --allow-writes.
import type { Command } from "commander";
import type { Context } from "../program/context.js";
import type { Connection } from "../program/connection.js";
import type { ToolAnswer } from "./answer.js";
import type { z as Z } from "./sdk.js";

export interface ToolEnv {
  ctx: Context;
  cmd: Command;
  /** Runs `body` with the server's connection (opened on first use, reopened after a failure). */
  use<T>(body: (c: Connection) => Promise<T>): Promise<T>;
  /** Cancelled when the client cancels the call. */
  signal: AbortSignal;
}

export interface Annotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolDef {
  name: string;
  title: string;
  description: string;
  write: boolean;
  annotations: Annotations;
  input(z: typeof Z): Record<string, Z.ZodType>;
  run(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer>;
}

const READ: Annotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const write = (destructive: boolean, idempotent: boolean): Annotations => ({
  readOnlyHint: false,
  destructiveHint: destructive,
  idempotentHint: idempotent,
  openWorldHint: false,
});

const read = async () => import("./read-tools.js");
const writes = async () => import("./write-tools.js");

const sessionId = (z: typeof Z) => z.string().min(1).describe("the session id (without the key prefix)");
const sessionIds = (z: typeof Z) =>
  z.array(z.string().min(1)).min(1).max(100).describe("session ids (without the key prefix), at most 100");
const cursor = (z: typeof Z) =>
  z.string().optional().describe("nextCursor from the previous answer, to continue where it stopped");
const backup = (z: typeof Z) =>
  z
    .string()
    .optional()
    .describe("where to save the sessions first (a new file); default: a new file under the config directory");

export const TOOLS: ToolDef[] = [
  {
    name: "list_sessions",
    title: "List Sessions",
    description:
      "List the chat sessions (conversations) stored in Redis, with message count, TTL and newest message, " +
      "as `upstash-memory sessions list --json` does. Long lists come in pages: pass nextCursor back as cursor.",
    write: false,
    annotations: READ,
    input: (z) => ({
      pattern: z.string().optional().describe("glob on session ids, e.g. 'user-*' (default: every session)"),
      sort: z.enum(["name", "count", "ttl"]).optional().describe("order (default name)"),
      limit: z.number().int().min(1).max(1000).optional().describe("sessions per page (default 100)"),
      cursor: cursor(z),
    }),
    run: async (a, env) => (await read()).listSessionsTool(a, env),
  },
  {
    name: "show_history",
    title: "Show History",
    description:
      "Read one conversation, oldest message first, as `upstash-memory history show --json` does: each message " +
      "with its index, role, content and the element as stored. A long history comes in pages: pass nextCursor " +
      "back as cursor. `first`/`last` limit it to the oldest/newest N messages.",
    write: false,
    annotations: READ,
    input: (z) => ({
      sessionId: sessionId(z),
      first: z.number().int().min(1).optional().describe("only the oldest N messages"),
      last: z.number().int().min(1).optional().describe("only the newest N messages"),
      maxTokens: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe("only the newest messages that fit T tokens, each with its tokens (history show --max-tokens)"),
      model: z.string().optional().describe("with maxTokens: the model whose tokenizer counts (default gpt-4o)"),
      cursor: cursor(z),
    }),
    run: async (a, env) => (await read()).showHistoryTool(a, env),
  },
  {
    name: "search_messages",
    title: "Search Messages",
    description:
      "Find the messages that contain a text across every session (or those matching `match`), as " +
      "`upstash-memory search --json` does: each hit with its session, index (1 = oldest), role and content. " +
      "Case-insensitive unless caseSensitive; regex: true takes a JavaScript regular expression. " +
      "More hits than fit come in pages: pass nextCursor back as cursor.",
    write: false,
    annotations: READ,
    input: (z) => ({
      query: z.string().min(1).describe("the text to look for"),
      match: z.string().optional().describe("only sessions whose id matches this glob, e.g. 'support-*'"),
      role: z.enum(["user", "assistant", "system", "tool", "human", "ai"]).optional().describe("only this role"),
      caseSensitive: z.boolean().optional(),
      regex: z.boolean().optional().describe("query is a JavaScript regular expression"),
      limit: z.number().int().min(1).max(500).optional().describe("hits per page (default 50)"),
      cursor: cursor(z),
    }),
    run: async (a, env) => (await read()).searchTool(a, env),
  },
  {
    name: "session_stats",
    title: "Session Stats",
    description:
      "What this memory holds, as `upstash-memory stats --json` does: sessions, messages by role, messages " +
      "per session, TTLs, bytes, the largest sessions and keys that are not chat histories.",
    write: false,
    annotations: READ,
    input: (z) => ({ pattern: z.string().optional().describe("glob on session ids (default: every session)") }),
    run: async (a, env) => (await read()).statsTool(a, env),
  },
  {
    name: "diagnose_session",
    title: "Diagnose Session",
    description:
      "Find out why a bot forgot a conversation, as `upstash-memory doctor` does: connection, key, TTL, " +
      "content (elements that break LangChain's or Flowise's reader) and cost, one check each with its id, " +
      "status (pass, warn, fail, info) and a hint. Without a sessionId only the connection is checked.",
    write: false,
    annotations: READ,
    input: (z) => ({ sessionId: sessionId(z).optional() }),
    run: async (a, env) => (await read()).diagnoseTool(a, env),
  },
  {
    name: "summarize_session",
    title: "Summarize Session",
    description:
      "Summarize a conversation as `upstash-memory summarize --json` does: offline (extractive) unless a model " +
      "is configured. Nothing is stored.",
    write: false,
    annotations: READ,
    input: (z) => ({
      sessionId: sessionId(z),
      engine: z.enum(["extractive", "llm"]).optional().describe("default: llm when a model is configured"),
      maxWords: z.number().int().min(1).max(2000).optional().describe("extractive summary length (default 120)"),
    }),
    run: async (a, env) => (await read()).summarizeTool(a, env),
  },
  {
    name: "append_message",
    title: "Append Message",
    description:
      "Add a message to a session, stored exactly as LangChain and Flowise store it (newest first), as " +
      "`upstash-memory append --json` does.",
    write: true,
    annotations: write(false, false),
    input: (z) => ({
      sessionId: sessionId(z),
      content: z.string().describe("the message text"),
      role: z
        .enum(["user", "assistant", "system", "tool", "human", "ai"])
        .optional()
        .describe("who says it (default user)"),
      toolCallId: z.string().optional().describe("for a tool message: the tool call it answers"),
      ttl: z.string().optional().describe("set the session's TTL too: 3600, 90s, 30m, 12h, 7d"),
    }),
    run: async (a, env) => (await writes()).appendTool(a, env),
  },
  {
    name: "set_ttl",
    title: "Set TTL",
    description: "Set (or with persist: true remove) the TTL of sessions, as `upstash-memory expire --json` does.",
    write: true,
    annotations: write(false, true),
    input: (z) => ({
      sessionIds: sessionIds(z),
      ttl: z.string().optional().describe("the TTL: 3600, 90s, 30m, 12h, 7d"),
      persist: z.boolean().optional().describe("remove the TTL instead: the sessions never expire"),
    }),
    run: async (a, env) => (await writes()).setTtlTool(a, env),
  },
  {
    name: "trim_session",
    title: "Trim Session",
    description:
      "Drop the oldest messages of a session, as `upstash-memory trim --yes --json` does: keep the newest `keep` " +
      "messages, or the newest that fit `maxTokens` tokens for the model (a leading system message or stored " +
      "summary stays unless keepSystem: false). The dropped messages are saved to a backup file first; messages " +
      "the app stores meanwhile are kept. dryRun: true only says what would be dropped.",
    write: true,
    annotations: write(true, true),
    input: (z) => ({
      sessionId: sessionId(z),
      keep: z.number().int().min(0).optional().describe("keep the newest N messages"),
      maxTokens: z.number().int().min(1).optional().describe("keep the newest messages that fit T tokens"),
      keepSystem: z.boolean().optional().describe("keep a leading system message or summary (default true)"),
      model: z.string().optional().describe("the model whose tokenizer counts (default: the profile's, else gpt-4o)"),
      dryRun: z.boolean().optional().describe("change nothing, say what would be dropped"),
      backup: backup(z),
    }),
    run: async (a, env) => (await writes()).trimTool(a, env),
  },
  {
    name: "clear_sessions",
    title: "Clear Sessions",
    description:
      "Delete sessions, as `upstash-memory clear --yes --json` does, always saving them to a backup file first " +
      "(the answer names it; `upstash-memory import FILE` restores them). A session the app writes to meanwhile is kept.",
    write: true,
    annotations: write(true, true),
    input: (z) => ({ sessionIds: sessionIds(z), backup: backup(z) }),
    run: async (a, env) => (await writes()).clearTool(a, env),
  },
  {
    name: "repair_session",
    title: "Repair Session",
    description:
      "Make sessions their app cannot load loadable again, as `upstash-memory repair --yes --json` does: remove " +
      "(or unwrap) the elements that break the reader, saving the sessions to a backup file first. dryRun: true " +
      "only says what would change.",
    write: true,
    annotations: write(true, true),
    input: (z) => ({
      sessionIds: sessionIds(z),
      invisible: z.boolean().optional().describe("also the elements the reader drops without a word"),
      dryRun: z.boolean().optional().describe("change nothing, say what would change"),
      backup: backup(z),
    }),
    run: async (a, env) => (await writes()).repairTool(a, env),
  },
  {
    name: "store_summary",
    title: "Store Summary",
    description:
      "Compact a session: replace all but the newest `keep` messages with one summary message, as " +
      "`upstash-memory summarize --store --yes --json` does, saving the session to a backup file first.",
    write: true,
    annotations: write(true, false),
    input: (z) => ({
      sessionId: sessionId(z),
      keep: z.number().int().min(0).optional().describe("newest messages kept as they are (default 4)"),
      summaryRole: z.enum(["human", "ai", "system"]).optional().describe("the summary message's type (default human)"),
      engine: z.enum(["extractive", "llm"]).optional().describe("default: llm when a model is configured"),
      maxWords: z.number().int().min(1).max(2000).optional().describe("extractive summary length (default 120)"),
      backup: backup(z),
    }),
    run: async (a, env) => (await writes()).storeSummaryTool(a, env),
  },
];

/** Names of the write tools, listed or not: a call of one without --allow-writes is refused by name. */
export const WRITE_TOOLS = new Set(TOOLS.filter((t) => t.write).map((t) => t.name));
