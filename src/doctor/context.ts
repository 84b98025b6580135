// Context: the history as the model counts it. An app sends the stored
// history with every call; larger than the model's window, the call fails
// (context_length_exceeded); near it, the next turns will; and a window
// memory (the newest K messages, or T tokens) silently never sends the
// oldest ones, which users report as "the bot forgot". Runs when a model,
// a window or a token budget is given (--model, the profile's model,
// --window, --max-tokens, --context): counting loads a tokenizer.
import type { HistoryRead } from "../history/read.js";
import { decodeHistory } from "../history/codec.js";
import { counterFor, showTokens } from "../tokens/count.js";
import { countHistory } from "../tokens/history.js";
import { plural, shellArg, type Findings } from "./checks.js";
import { groupDigits } from "../text/plural.js";

export interface ContextRequest {
  model?: string;
  context?: number;
  window?: number;
  maxTokens?: number;
}

/** At this share of the window, the history is near it. */
export const NEAR_WINDOW = 0.8;

export function wantsContext(req: ContextRequest | undefined): req is ContextRequest {
  return (
    req !== undefined &&
    (req.model !== undefined || req.context !== undefined || req.window !== undefined || req.maxTokens !== undefined)
  );
}

export async function checkContext(
  f: Findings,
  read: HistoryRead,
  sessionId: string,
  req: ContextRequest,
): Promise<void> {
  const counter = await counterFor(req.model, req.context);
  const messages = decodeHistory(read.newestFirst, read.firstIndex);
  const t = countHistory(messages, counter, { window: req.window, maxTokens: req.maxTokens });
  const { total, contextWindow, estimated, model } = t.summary;
  const n = (x: number) => showTokens(x, estimated);
  const id = shellArg(sessionId);
  const flag = shellArg(model);
  if (contextWindow === null) {
    f.add(
      "context",
      "over-window",
      "info",
      `the history is ${n(total)} tokens (${estimated ? "estimated" : "exact"}); ${model}'s context window is unknown`,
      "--context N gives the window in tokens",
    );
  } else {
    const budget = Math.floor(contextWindow * 0.5);
    const fix = `\`upstash-memory trim ${id} --max-tokens ${budget} --model ${flag}\` drops the oldest messages; \`upstash-memory summarize ${id} --store --fit ${budget} --model ${flag}\` replaces them with a summary`;
    const share = Math.round((100 * total) / contextWindow);
    const of = `${n(total)} tokens, ${share}% of ${model}'s ${groupDigits(contextWindow)}-token window`;
    if (total > contextWindow) {
      f.add(
        "context",
        "over-window",
        "fail",
        `the history alone is ${of}: a call with all of it fails (context length exceeded)`,
        fix,
      );
    } else {
      f.add("context", "over-window", "pass", `the history is ${of}${estimated ? " (estimated)" : ""}`);
      if (total >= NEAR_WINDOW * contextWindow)
        f.add(
          "context",
          "near-window",
          "warn",
          `the history is ${share}% of the window: a few more turns and calls fail`,
          fix,
        );
    }
  }
  if (req.window === undefined && req.maxTokens === undefined) return;
  const limit =
    req.window !== undefined
      ? `a window memory of ${plural(req.window, "message")}`
      : `a token buffer of ${n(req.maxTokens ?? 0)} tokens`;
  const { firstSeen, count } = t.cut;
  if (firstSeen <= 1) {
    f.add("context", "window-drops", "info", `${limit} sends all ${plural(count, "message")}`);
    return;
  }
  let dropped = 0;
  for (let i = 1; i < Math.min(firstSeen, count + 1); i++) dropped += t.byIndex.get(i) ?? 0;
  const which = firstSeen === 2 ? "message 1" : `messages 1–${Math.min(firstSeen, count + 1) - 1}`;
  f.add(
    "context",
    "window-drops",
    "info",
    `${limit} never sends ${which} (${n(dropped)} tokens): the model does not see them`,
    `the bot "forgets" them; \`upstash-memory summarize ${id} --store --fit ${req.maxTokens ?? "T"}\` keeps their gist in one summary`,
  );
}
