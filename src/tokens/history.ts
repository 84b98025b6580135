// A whole conversation counted for a model: each message's tokens, the total,
// and where the app's window cuts it (history show --tokens, doctor, trim).
import type { DecodedMessage } from "../history/codec.js";
import {
  chatTotal,
  messageTokens,
  tokensSummary,
  windowCut,
  type Counter,
  type TokensSummary,
  type WindowCut,
  type WindowLimits,
} from "./count.js";

export interface HistoryTokens {
  summary: TokensSummary;
  /** Tokens of each message, by its 1-based index. */
  byIndex: Map<number, number>;
  cut: WindowCut;
  limits: WindowLimits;
}

export interface LimitFlags {
  window?: number;
  maxTokens?: number;
}

export function countHistory(
  messages: readonly DecodedMessage[],
  counter: Counter,
  flags: LimitFlags = {},
): HistoryTokens {
  const tokens = messages.map((m) => messageTokens(counter.text, m));
  const limits: WindowLimits = {
    messages: flags.window,
    maxTokens: flags.maxTokens,
    contextWindow: counter.choice.contextWindow,
  };
  const cut = windowCut(tokens, limits);
  // Indices are those of the messages given: a cut's first index is the message's own.
  const offset = messages.length ? messages[0].index - 1 : 0;
  return {
    summary: tokensSummary(counter.choice, chatTotal(tokens)),
    byIndex: new Map(messages.map((m, i) => [m.index, tokens[i]])),
    cut: { ...cut, firstSeen: cut.firstSeen + offset, count: cut.count + offset },
    limits,
  };
}
