// Which model API `summarize` talks to. The profile's `llm` section is the
// base; OPENAI_BASE_URL, OPENAI_API_KEY and UPSTASH_MEMORY_MODEL override or
// complete it, so the usual OpenAI variables work unchanged.
import type { LlmSettings } from "../config/profiles.js";
import { registerSecret } from "../errors/secrets.js";

export interface ResolvedLlmSettings {
  baseUrl: string;
  model: string;
  apiKey?: string;
}

export const OPENAI_BASE_URL = "https://api.openai.com/v1";
/** A model named without a key or a URL is most likely a local Ollama model. */
export const OLLAMA_BASE_URL = "http://localhost:11434/v1";

/** Undefined when no model is configured: the caller then uses the extractive engine. */
export function resolveLlmSettings(
  profileLlm: LlmSettings | undefined,
  env: Record<string, string | undefined> = process.env,
): ResolvedLlmSettings | undefined {
  const model = firstSet(env.UPSTASH_MEMORY_MODEL, profileLlm?.model);
  if (!model) return undefined;
  const apiKey = firstSet(env.OPENAI_API_KEY, profileLlm?.apiKey);
  registerSecret(apiKey);
  const baseUrl = firstSet(env.OPENAI_BASE_URL, profileLlm?.baseUrl) ?? (apiKey ? OPENAI_BASE_URL : OLLAMA_BASE_URL);
  return { baseUrl: baseUrl.replace(/\/+$/, ""), model, ...(apiKey ? { apiKey } : {}) };
}

/** An empty or blank variable counts as unset. */
function firstSet(...values: (string | undefined)[]): string | undefined {
  for (const v of values) if (v?.trim()) return v.trim();
  return undefined;
}
