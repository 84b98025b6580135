// Cost: what this conversation costs on every chat turn. The app loads the
// whole history and sends it back to the model each time, so a long history
// is paid for in tokens on every answer; Redis commands are what Upstash bills.
import type { HistoryRead } from "../history/read.js";
import type { ReadableMessage } from "./content.js";
import { elementBytes } from "./health.js";
import { formatBytes, plural, shellArg, type Findings } from "./checks.js";
import { groupDigits } from "../text/plural.js";

export const LONG_HISTORY_MESSAGES = 50;
export const LONG_HISTORY_TOKENS = 8000;
/** Messages a chat turn stores: the question and the answer. */
const STORED_PER_TURN = 2;

/** The usual rough estimate for English text: about four characters a token. */
export function roughTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function checkCost(f: Findings, read: HistoryRead, messages: ReadableMessage[], sessionId: string): void {
  const tokens = roughTokens(messages.reduce((sum, m) => sum + m.text.length, 0));
  const context = `each turn sends ${plural(messages.length, "message")} back to the model: ~${groupDigits(tokens)} tokens (characters / 4), ${formatBytes(elementBytes(read))} read from Redis`;
  if (messages.length > LONG_HISTORY_MESSAGES || tokens > LONG_HISTORY_TOKENS) {
    f.add(
      "cost",
      "context",
      "warn",
      context,
      `\`upstash-memory summarize ${shellArg(sessionId)} --store\` replaces the history with a summary; or have the app send only the last turns (a window memory)`,
    );
  } else {
    f.add("cost", "context", "info", context);
  }
  // LangChain and Flowise: LRANGE to load, then per stored message an LPUSH,
  // followed by an EXPIRE when they keep a TTL.
  const withTtl = read.ttlSeconds !== null;
  const perMessage = withTtl ? 2 : 1;
  const commands = 1 + STORED_PER_TURN * perMessage;
  f.add(
    "cost",
    "commands",
    "info",
    `${commands} Redis commands per chat turn: LRANGE to load, then ${withTtl ? "LPUSH + EXPIRE" : "LPUSH"} for the question and for the answer${withTtl ? "" : " (no TTL)"}`,
  );
}
