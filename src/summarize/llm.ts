// The model-backed summarizer. A conversation that fits in maxInputTokens is
// summarized in one request; a longer one is folded progressively, batch by
// batch, each request carrying the running summary and the next lines (the
// running summary stays small, so every request stays within the budget).
import { CliError, ExitCode, UsageError } from "../errors/errors.js";
import { registerSecret } from "../errors/secrets.js";
import { abortError, chatCompletion, displayUrl } from "./openai-client.js";
import { DEFAULT_INSTRUCTIONS, formatLine, shortenToolOutput, stepContent } from "./prompt.js";
import { stripReasoning, withoutReasoning } from "./reasoning.js";
import type { ChatLine, SummaryInput } from "./types.js";

export interface LlmOptions {
  /** e.g. https://api.openai.com/v1 or http://localhost:11434/v1 (no trailing slash needed). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Rough budget for one request's input (instructions, running summary, new lines). */
  maxInputTokens: number;
  /** Replaces the default instructions. */
  prompt?: string;
  /** Per request; a streamed reply only times out after this long without data. */
  timeoutMs: number;
  /** Aborting it (Ctrl-C) rejects with an error named "AbortError". */
  signal?: AbortSignal;
  /** The final step's text as it arrives (with stream). */
  onDelta?: (text: string) => void;
  /** Stream the final step; defaults to true when onDelta is given. */
  stream?: boolean;
  /** Before each request: it covers pieces [from, to) of `total` (to === total: the last). */
  onStep?: (from: number, to: number, total: number) => void;
}

export interface LlmSummary {
  summary: string;
  /** HTTP requests sent, retries included. */
  requests: number;
}

/** Below this, the instructions alone would leave no room for the conversation. */
export const MIN_INPUT_TOKENS = 256;

/** About four characters per token for English text: good enough for budgeting. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Summarizes `input`, folding in `previousSummary`. With no new lines, the
 * previous summary comes back unchanged and no request is sent.
 */
export async function summarizeWithLlm(input: SummaryInput, opts: LlmOptions): Promise<LlmSummary> {
  const baseUrl = checkedBaseUrl(opts.baseUrl);
  if (!opts.model.trim()) throw new UsageError("no model given for the llm engine");
  if (!(opts.maxInputTokens >= MIN_INPUT_TOKENS))
    throw new UsageError(`the input token budget must be at least ${MIN_INPUT_TOKENS}`);
  if (!(opts.timeoutMs > 0)) throw new UsageError("the model API timeout must be positive");
  registerSecret(opts.apiKey);
  if (opts.signal?.aborted) throw abortError();

  const instructions = opts.prompt?.trim() || DEFAULT_INSTRUCTIONS;
  // Every piece fits in a quarter of the budget, so each step can take at least one.
  const pieceTokens = Math.floor(opts.maxInputTokens / 4);
  const pieces = input.lines
    .filter((l) => l.content.trim())
    .map(shortenToolOutput)
    .flatMap((l) => splitLine(l, pieceTokens));
  let summary = input.previousSummary?.trim() ?? "";
  let requests = 0;

  for (let next = 0; next < pieces.length; ) {
    const overhead = estimateTokens(instructions) + estimateTokens(stepContent(summary, []));
    const room = Math.max(opts.maxInputTokens - overhead, pieceTokens);
    let end = next;
    let used = 0;
    while (end < pieces.length) {
      const cost = estimateTokens(formatLine(pieces[end]!)) + 1;
      if (end > next && used + cost > room) break;
      used += cost;
      end++;
    }
    const last = end === pieces.length;
    opts.onStep?.(next, end, pieces.length);
    const stream = last && (opts.stream ?? opts.onDelta !== undefined);
    const result = await chatCompletion({
      baseUrl,
      model: opts.model,
      apiKey: opts.apiKey,
      messages: [
        { role: "system", content: instructions },
        { role: "user", content: stepContent(summary, pieces.slice(next, end)) },
      ],
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      stream,
      onDelta: stream && opts.onDelta ? withoutReasoning(opts.onDelta) : undefined,
    });
    requests += result.requests;
    summary = stripReasoning(result.content).trim();
    if (!summary) throw emptySummary();
    next = end;
  }
  return { summary, requests };
}

function checkedBaseUrl(raw: string): string {
  const trimmed = raw.trim().replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new UsageError(`invalid model API base URL '${trimmed}'`, "use a full URL such as http://localhost:11434/v1");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`the model API base URL must start with http:// or https://, not ${url.protocol}//`);
  }
  // fetch refuses such URLs, and its error would quote the password.
  if (url.username || url.password) {
    registerSecret(decodeURIComponent(url.password));
    throw new UsageError(
      `the model API base URL ${displayUrl(trimmed)} must not contain credentials`,
      "put the key in OPENAI_API_KEY or the profile's llm.apiKey",
    );
  }
  return trimmed;
}

function emptySummary(): CliError {
  return new CliError(
    "the model API returned an empty summary",
    ExitCode.failure,
    "try another model, or the extractive engine",
  );
}

/** A message longer than `maxTokens` becomes consecutive pieces, cut at whitespace where possible. */
function splitLine(line: ChatLine, maxTokens: number): ChatLine[] {
  const maxChars = maxTokens * 4 - formatLine({ role: line.role, content: "" }).length;
  const pieces: ChatLine[] = [];
  let rest = line.content.trim();
  while (rest.length > maxChars) {
    const space = rest.lastIndexOf(" ", maxChars);
    const cut = space > maxChars / 2 ? space : maxChars;
    pieces.push({ role: line.role, content: rest.slice(0, cut).trimEnd() });
    rest = rest.slice(cut).trimStart();
  }
  pieces.push({ role: line.role, content: rest });
  return pieces;
}
