// What a conversation costs the model, in tokens. Each message is counted as
// OpenAI's cookbook counts a chat request ("How to count tokens with
// tiktoken", counting tokens for chat completions): 3 tokens per message, the
// role and content tokens, 1 more for a name (plus its tokens), and 3 for the
// reply the model is primed with. Other models' counts use the same overhead.
import type { DecodedMessage } from "../history/codec.js";
import { chooseModel, type ModelChoice } from "./models.js";
import { tokenizer, type CountFn } from "./tokenizer.js";
import { groupDigits } from "../text/plural.js";

export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
/** Every reply is primed with <|start|>assistant<|message|>. */
export const REPLY_PRIMING = 3;

export interface Counter {
  choice: ModelChoice;
  text: CountFn;
}

/** The counter for a model (its tokenizer loaded now, once per process). */
export async function counterFor(model: string | undefined, context?: number): Promise<Counter> {
  const choice = chooseModel(model, context);
  return { choice, text: await tokenizer(choice.tokenizer) };
}

/**
 * One message as the model receives it. An element the readers cannot load is
 * never sent: 0. The content is the text the app sends (content parts joined,
 * tool calls as their name and arguments).
 */
export function messageTokens(count: CountFn, m: DecodedMessage): number {
  if (m.role === "unrecognized") return 0;
  let n = TOKENS_PER_MESSAGE + count(m.role) + count(m.content);
  const name = m.data?.name;
  if (typeof name === "string" && name !== "") n += TOKENS_PER_NAME + count(name);
  return n;
}

/** A history's total: its messages and the reply priming. */
export function chatTotal(perMessage: Iterable<number>): number {
  let n = REPLY_PRIMING;
  for (const t of perMessage) n += t;
  return n;
}

/** The tokens facts of a count, as --json shows them at the top. */
export interface TokensSummary {
  model: string;
  tokenizer: string;
  estimated: boolean;
  total: number;
  contextWindow: number | null;
}

export function tokensSummary(choice: ModelChoice, total: number): TokensSummary {
  return {
    model: choice.model,
    tokenizer: choice.tokenizer,
    estimated: choice.estimated,
    total,
    contextWindow: choice.contextWindow,
  };
}

/** How an app limits what it sends: the newest K messages, the newest T tokens, and always the model's window. */
export interface WindowLimits {
  /** --window K: a buffer window memory of K messages. */
  messages?: number;
  /** --max-tokens T: a token buffer memory. */
  maxTokens?: number;
  contextWindow: number | null;
}

export interface WindowCut {
  /** 1-based index of the oldest message the model sees (count + 1: none). */
  firstSeen: number;
  /** Messages counted (the newest is number `count`). */
  count: number;
  /** Tokens of what the model sees, reply priming included. */
  seenTokens: number;
  /** What cut the history, when something did. */
  cutBy: "messages" | "max-tokens" | "context-window" | null;
}

/**
 * Where the limits cut a history (tokens per message, oldest first): the
 * newest messages whose running total, counted from the newest back, stays
 * within every limit.
 */
export function windowCut(tokens: readonly number[], limits: WindowLimits): WindowCut {
  const n = tokens.length;
  const budgets: [number, WindowCut["cutBy"]][] = [];
  if (limits.maxTokens !== undefined) budgets.push([limits.maxTokens, "max-tokens"]);
  if (limits.contextWindow !== null) budgets.push([limits.contextWindow, "context-window"]);
  let first = n + 1;
  let total = REPLY_PRIMING;
  let cutBy: WindowCut["cutBy"] = null;
  for (let i = n - 1; i >= 0; i--) {
    if (limits.messages !== undefined && n - i > limits.messages) {
      cutBy = "messages";
      break;
    }
    const over = budgets.find(([b]) => total + tokens[i] > b);
    if (over) {
      cutBy = over[1];
      break;
    }
    total += tokens[i];
    first = i + 1;
  }
  return { firstSeen: first, count: n, seenTokens: total, cutBy };
}

/** "≈1,234" for an estimate, "1,234" for an exact count. */
export function showTokens(n: number, estimated: boolean): string {
  const s = groupDigits(n);
  return estimated ? `≈${s}` : s;
}
