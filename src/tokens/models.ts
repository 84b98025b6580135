// The one table of models: each entry's context window, the tokenizer that
// counts its tokens, and where and when the numbers were checked. A model the
// table lacks is counted with o200k_base and always labelled an estimate.
import { UsageError } from "../errors/errors.js";

/** Tokenizers shipped with the CLI (loaded only when counting; see tokenizer.ts). */
export type TokenizerId = "o200k_base" | "cl100k_base" | "llama3" | "mistral-v1";

export interface ModelEntry {
  /** The name given to --model (later dated snapshots match by prefix: gpt-4o-2024-08-06 → gpt-4o). */
  name: string;
  /** Tokens the model accepts in one call (input and output together, as its provider states it). */
  contextWindow: number;
  tokenizer: TokenizerId;
  /** False: the tokenizer is the model's own, counts are exact. True: another tokenizer stands in. */
  estimated: boolean;
  /** When the entry was last checked against its source. */
  checked: string;
  source: string;
}

const OPENAI_MODELS = "https://platform.openai.com/docs/models";
const GPT_TOKENIZER = "gpt-tokenizer 4.0.0 model metadata (context_window), generated from";

const entry = (
  name: string,
  contextWindow: number,
  tokenizer: TokenizerId,
  estimated: boolean,
  checked: string,
  source: string,
): ModelEntry => ({ name, contextWindow, tokenizer, estimated, checked, source });

const openai = (name: string, contextWindow: number, tokenizer: TokenizerId, checked = "2026-12-06") =>
  entry(name, contextWindow, tokenizer, false, checked, `${GPT_TOKENIZER} ${OPENAI_MODELS}/${name}`);

/** Longest names first where one is a prefix of another (gpt-4o-mini before gpt-4o). */
export const MODELS: readonly ModelEntry[] = [
  openai("gpt-5-mini", 400_000, "o200k_base"),
  openai("gpt-5-nano", 400_000, "o200k_base"),
  openai("gpt-5", 400_000, "o200k_base"),
  openai("gpt-4.1-mini", 1_047_576, "o200k_base"),
  openai("gpt-4.1-nano", 1_047_576, "o200k_base"),
  openai("gpt-4.1", 1_047_576, "o200k_base"),
  openai("gpt-4o-mini", 128_000, "o200k_base"),
  openai("gpt-4o", 128_000, "o200k_base"),
  openai("o4-mini", 200_000, "o200k_base"),
  openai("o3-mini", 200_000, "o200k_base"),
  openai("o3", 200_000, "o200k_base"),
  openai("o1-mini", 128_000, "o200k_base"),
  openai("o1-preview", 128_000, "o200k_base"),
  openai("o1", 200_000, "o200k_base"),
  openai("gpt-4-turbo", 128_000, "cl100k_base"),
  openai("gpt-4-32k", 32_768, "cl100k_base"),
  openai("gpt-4", 8_192, "cl100k_base"),
  openai("gpt-3.5-turbo", 16_385, "cl100k_base"),
  entry(
    "llama-3.3",
    131_072,
    "llama3",
    false,
    "2026-12-06",
    "https://huggingface.co/meta-llama/Llama-3.3-70B-Instruct (model card: 128K context; Llama 3 tokenizer)",
  ),
  entry(
    "llama-3.2",
    131_072,
    "llama3",
    false,
    "2026-12-06",
    "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct (model card: 128K context; Llama 3 tokenizer)",
  ),
  entry(
    "llama-3.1",
    131_072,
    "llama3",
    false,
    "2026-12-06",
    "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct (model card: 128K context, 2024-07-23)",
  ),
  entry(
    "llama-3",
    8_192,
    "llama3",
    false,
    "2026-12-06",
    "https://huggingface.co/meta-llama/Meta-Llama-3-8B (model card: 8K context, 2024-04-18)",
  ),
  entry(
    "mixtral-8x7b",
    32_768,
    "mistral-v1",
    false,
    "2026-12-06",
    "https://github.com/mistralai/mistral-common (tokenizer v1); https://huggingface.co/mistralai/Mixtral-8x7B-v0.1",
  ),
  entry(
    "mistral-7b",
    32_768,
    "mistral-v1",
    false,
    "2026-12-06",
    "https://github.com/mistralai/mistral-common (tokenizer v1: 7B v0.1/v0.2); https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.2",
  ),
  entry(
    "claude",
    200_000,
    "o200k_base",
    true,
    "2026-12-06",
    "https://docs.anthropic.com/en/docs/about-claude/models/overview (200K; no public offline tokenizer: estimate)",
  ),
  entry(
    "gemini-1.5-pro",
    2_097_152,
    "o200k_base",
    true,
    "2026-12-06",
    "https://ai.google.dev/gemini-api/docs/long-context (no offline tokenizer: estimate)",
  ),
  entry(
    "gemini",
    1_048_576,
    "o200k_base",
    true,
    "2026-12-06",
    "https://ai.google.dev/gemini-api/docs/tokens (1.5 Flash, 2.0, 2.5: 1,048,576; estimate)",
  ),
];

/** The model counted when none is given (--model, the profile's `model`). */
export const DEFAULT_MODEL = "gpt-4o";

/** What a count is made for: a table entry, or an unknown model counted as an estimate. */
export interface ModelChoice {
  /** The name as given. */
  model: string;
  tokenizer: TokenizerId;
  estimated: boolean;
  /** null: unknown (a model the table lacks, without --context). */
  contextWindow: number | null;
  /** The table entry it matched, if any. */
  entry?: ModelEntry;
}

function normalize(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^(openai|meta-llama|meta|mistralai|anthropic|google)\//, "")
    .replace(/^meta-llama-/, "llama-")
    .replace(/^llama(\d)/, "llama-$1");
}

export function findModel(name: string): ModelEntry | undefined {
  const n = normalize(name);
  return MODELS.find(
    (m) => n === m.name || n.startsWith(`${m.name}-`) || n.startsWith(`${m.name}.`) || n.startsWith(`${m.name}:`),
  );
}

/** --model / the profile's model / the default, with --context overriding the window. */
export function chooseModel(name: string | undefined, context?: number): ModelChoice {
  const model = name?.trim() || DEFAULT_MODEL;
  if (!model) throw new UsageError("empty model name", "e.g. --model gpt-4o");
  const e = findModel(model);
  if (e)
    return {
      model,
      tokenizer: e.tokenizer,
      estimated: e.estimated,
      contextWindow: context ?? e.contextWindow,
      entry: e,
    };
  return { model, tokenizer: "o200k_base", estimated: true, contextWindow: context ?? null };
}
