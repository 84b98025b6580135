// Which engine runs and with what: --engine, else llm when a model is
// configured (flag, env or profile), else the offline extractive engine.
import fs from "node:fs/promises";
import type { LlmSettings } from "../config/profiles.js";
import { readFailure, UsageError } from "../errors/errors.js";
import { parseDurationMs } from "../duration/duration.js";
import { resolveLlmSettings } from "./settings.js";
import type { LlmOptions } from "./llm.js";
import type { Engine } from "./session.js";

export interface EngineRequest {
  requested?: Engine;
  model?: string;
  profile?: LlmSettings;
  env: NodeJS.ProcessEnv;
  maxInputTokens: number;
  promptFile?: string;
  timeout: string;
  signal: AbortSignal;
}

export async function buildLlmOptions(req: EngineRequest): Promise<{ engine: Engine; llm?: LlmOptions }> {
  const env = req.model ? { ...req.env, UPSTASH_MEMORY_MODEL: req.model } : req.env;
  const settings = resolveLlmSettings(req.profile, env);
  const engine = req.requested ?? (settings ? "llm" : "extractive");
  if (engine === "extractive") return { engine };
  if (!settings) {
    throw new UsageError(
      "no model configured for --engine llm",
      "pass --model, set UPSTASH_MEMORY_MODEL, or `upstash-memory config set llm.model NAME`",
    );
  }
  let prompt: string | undefined;
  if (req.promptFile) {
    prompt = await fs.readFile(req.promptFile, "utf8").catch((e: NodeJS.ErrnoException) => {
      throw readFailure(req.promptFile!, e);
    });
  }
  return {
    engine,
    llm: {
      ...settings,
      maxInputTokens: req.maxInputTokens,
      prompt,
      timeoutMs: parseDurationMs(req.timeout, "--llm-timeout"),
      signal: req.signal,
    },
  };
}
