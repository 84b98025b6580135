// Key resolution: is the conversation where the user looks for it? If not,
// where else might the app have put it? One pipelined read answers the first
// question (and brings the whole history along for the sections after this);
// the shared near-miss search (sessions/near-miss.ts) at most two more.
import type { Store } from "../store/types.js";
import type { KeySpace } from "../sessions/keys.js";
import { readHistory, readMetaOnly, type HistoryRead } from "../history/read.js";
import { findNearMissesOf, holds, SEARCH_REQUESTS } from "../sessions/near-miss.js";
import { plural, quoteKey, type Findings } from "./checks.js";

const MISSING_HINT =
  "an app with a Session Timeout (Flowise) or sessionTTL (LangChain) restarts the TTL at its own value with every message it stores, so an idle conversation expires whole (the key disappears, it is not emptied); otherwise the app writes under another id (Flowise: see key.flowise-session-id)";

/** How Flowise's server picks the key (getMemorySessionId in packages/server/src/utils/index.ts). */
export const FLOWISE_SESSION_ID =
  "Flowise picks the key: for API and embed predictions, overrideConfig.sessionId, else the request's chatId, else the memory node's Session Id, else a generated chatId; in Flowise's own UI chat the node's Session Id wins over the chatId";

export const MEMORY_KEY_NOTE =
  "the memory node's Memory Key ('chat_history') is the prompt variable the history fills, never a Redis key";

/** The history when the key is a list; undefined otherwise (the finding says why). */
export async function checkKey(
  f: Findings,
  store: Store,
  keys: KeySpace,
  sessionId: string,
  canScan: boolean,
): Promise<HistoryRead | undefined> {
  const key = keys.key(sessionId);
  const read = await readHistory(store, key);
  const where = keys.prefix
    ? `session ${quoteKey(sessionId)} (key ${quoteKey(key)})`
    : `session ${quoteKey(sessionId)}`;
  if (read.type === "list") {
    f.add("key", "session", "pass", `${where} exists`);
    return read;
  }
  if (read.type !== "none") {
    f.add(
      "key",
      "type",
      "fail",
      `key ${quoteKey(key)} is a ${read.type}, not a list: it collides with the app's other data`,
      "LangChain/Flowise get WRONGTYPE when they LPUSH to it: the session id clashes with a key used for something else; give chat sessions their own ids or prefix",
    );
    return undefined;
  }
  f.add("key", "session", "fail", `${where} does not exist`, MISSING_HINT);
  await reportNearMisses(f, store, keys, sessionId, canScan);
  f.add("key", "flowise-session-id", "info", FLOWISE_SESSION_ID);
  return undefined;
}

async function reportNearMisses(
  f: Findings,
  store: Store,
  keys: KeySpace,
  sessionId: string,
  canScan: boolean,
): Promise<void> {
  const search = await findNearMissesOf(store, keys, sessionId, { scan: canScan });
  for (const m of search.found) {
    f.add("key", "near-miss", "warn", `key ${quoteKey(m.key)} holds ${holds(m)} (${m.reason})`, nearMissHint(m.reason));
  }
  if (search.unlisted) {
    f.add(
      "key",
      "near-miss",
      "warn",
      `${plural(search.unlisted, "more similar key")} not listed`,
      "`upstash-memory sessions list '*<id>*'` lists them",
    );
  }
  if (!search.scanned) {
    f.add("key", "search", "info", "keys containing the id were not searched: this token cannot SCAN");
    if (!search.found.length)
      f.add(
        "key",
        "near-miss",
        "info",
        "no similar key found under the usual variants (message_store: prefix, other case, whitespace)",
      );
    return;
  }
  if (!search.found.length) {
    f.add(
      "key",
      "near-miss",
      "info",
      "no similar key found (message_store: prefix, other case, whitespace, typos, keys containing the id or contained in it)",
    );
  }
  if (!search.complete) {
    f.add(
      "key",
      "search",
      "info",
      `searched the first ${plural(search.scannedKeys, "key")} only (bound: ${SEARCH_REQUESTS} requests): a similar key may be further on`,
    );
  }
}

function nearMissHint(reason: string): string {
  if (reason.includes("prefix message_store:")) {
    return "LangChain Python stores under message_store:<id>: pass --prefix message_store: (or `upstash-memory config set prefix message_store:`)";
  }
  if (reason.includes("no prefix"))
    return "this key has no prefix: drop --prefix (or `upstash-memory config unset prefix`)";
  if (reason.includes("surrounding whitespace"))
    return "the app's session id carries whitespace (a line break from a form?): trim it where the app builds the id";
  if (reason.includes("no whitespace around")) return "the id you gave has whitespace around it; the app's id does not";
  if (reason.includes("other case"))
    return "session ids are case-sensitive: the app and your lookups must use the same case";
  if (reason === "contains the id")
    return "the app builds its key from more than this id (a user or chat prefix?): look it up the way the app builds it";
  if (reason === "part of the id") return "the app stores under a shorter id: look that one up";
  if (reason.includes("different")) return "a typo in the id? look up the one the app wrote";
  return "check how the app builds its session id";
}

/**
 * A chat history under the empty session id is one memory shared by every
 * conversation stored without an id: a failure whichever session doctor checks.
 * In Flowise 3.1.4 the server always passes an id to the node's
 * getChatMessages/addChatMessages (getMemorySessionId falls back to the
 * chatId), but the node's own Session Id, empty by default, is the key of the
 * LangChain memory it wraps (see key.session-ids) and of any call without one.
 */
export function checkEmptyId(f: Findings, emptyId: { key: string; type: string; count: number }): void {
  if (emptyId.type !== "list" || emptyId.count === 0) return;
  const where = emptyId.key ? `key ${quoteKey(emptyId.key)}` : "key ''";
  f.add(
    "key",
    "empty-session-id",
    "fail",
    `the empty session id (${where}) holds a chat history of ${plural(emptyId.count, "message")}: every conversation stored without a session id shares this one memory, so users read and extend each other's history`,
    emptyId.key
      ? "give every conversation its own session id where the app builds its memory; `upstash-memory history show ''` shows what is there"
      : "in Flowise, set the memory node's Session Id, or send `overrideConfig.sessionId` (or the request's `chatId`) with each API call; `upstash-memory history show ''` shows what is there, `upstash-memory clear ''` removes it",
  );
}

/**
 * Two session ids in one Flowise node (flowise-components 3.1.4,
 * dist/nodes/memory/UpstashRedisBackedChatMemory/UpstashRedisBackedChatMemory.js):
 * `BufferMemoryExtended.getChatMessages`, `addChatMessages` and
 * `clearChatMessages` use `overrideSessionId ? overrideSessionId : this.sessionId`,
 * where the server passes the id getMemorySessionId chose; the
 * `UpstashRedisChatMessageHistory` the node wraps (what BufferMemory's
 * loadMemoryVariables, saveContext and clear use) is built in
 * `initalizeUpstashRedis` from the node's own Session Id input.
 */
export async function checkSessionIds(
  f: Findings,
  store: Store,
  keys: KeySpace,
  sessionId: string,
  nodeSessionId: string,
): Promise<void> {
  const key = keys.key(sessionId);
  if (nodeSessionId === sessionId) {
    f.add(
      "key",
      "session-ids",
      "pass",
      `the Flowise node's Session Id is this session's id: getChatMessages/addChatMessages and the LangChain memory the node wraps all use key ${quoteKey(key)}`,
    );
    return;
  }
  const nodeKey = keys.key(nodeSessionId);
  const other = await readMetaOnly(store, nodeKey);
  const holdsText =
    other.type === "none"
      ? "does not exist"
      : other.type === "list"
        ? `holds ${plural(other.count, "message")}`
        : `is a ${other.type}`;
  f.add(
    "key",
    "session-ids",
    "info",
    `two session ids in one Flowise node: getChatMessages and addChatMessages (the chat view, agents and chains) read and write key ${quoteKey(key)}, the override the server passes; the LangChain memory the node wraps, built at init from the node's Session Id, reads key ${quoteKey(nodeKey)} (which ${holdsText}) in loadMemoryVariables`,
    "in Flowise 3.1.4 no node reads this memory through loadMemoryVariables (only the Mem0 and Zep nodes call it, on their own memories), so only custom code that does reads the other key; clearChatMessages deletes both keys",
  );
}
