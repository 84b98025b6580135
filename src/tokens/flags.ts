// The flags every token-counting command shares. Declaring them loads no
// tokenizer: that happens when a command counts (count.ts, tokenizer.ts).
import type { Command } from "commander";
import { positiveInt } from "../program/options.js";

export interface TokenFlags {
  model?: string;
  context?: number;
  window?: number;
  maxTokens?: number;
}

/** --model (unless the command has one already), --context, and with `limits` --window / --max-tokens. */
export function addTokenFlags(cmd: Command, opts: { model?: boolean; limits?: boolean } = {}): Command {
  if (opts.model !== false)
    cmd.option("--model <name>", "count tokens for this model (else the profile's model, else gpt-4o)");
  cmd.option("--context <n>", "the model's context window in tokens (for a model the table lacks)", positiveInt);
  if (opts.limits) {
    cmd.option("--window <k>", "the app sends only the newest K messages (a window memory)", positiveInt);
    cmd.option("--max-tokens <t>", "the app sends only the newest T tokens (a token buffer memory)", positiveInt);
  }
  return cmd;
}

/** The model counted for: --model, else the profile's model setting, else the default. */
export function modelOf(flag: string | undefined, profile: { model?: string } | undefined): string | undefined {
  return flag ?? profile?.model;
}
