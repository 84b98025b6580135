// Interactive questions (inquirer), asked on stderr so stdout stays data.
// Loaded only by the commands that ask, and only on a TTY.
import type { IO } from "./io.js";
import { isInteractive } from "./io.js";
import { CliError, ExitCode, UsageError } from "./errors.js";

function context(io: IO) {
  return { input: io.stdin, output: io.stderr, clearPromptOnDone: false };
}

/** Ctrl-C at a prompt: a clean "cancelled", not a stack trace. */
function cancelled(err: unknown): never {
  if ((err as Error)?.name === "ExitPromptError" || (err as Error)?.name === "AbortPromptError") {
    throw new CliError("cancelled", ExitCode.failure);
  }
  throw err;
}

export async function confirm(io: IO, message: string): Promise<boolean> {
  const { confirm } = await import("@inquirer/prompts");
  return confirm({ message, default: false }, context(io)).catch(cancelled);
}

export async function askText(io: IO, message: string, validate?: (v: string) => true | string): Promise<string> {
  const { input } = await import("@inquirer/prompts");
  return input({ message, validate }, context(io)).catch(cancelled);
}

export async function askSecret(io: IO, message: string): Promise<string> {
  const { password } = await import("@inquirer/prompts");
  return password({ message, mask: "•", validate: (v) => (v.trim() ? true : "required") }, context(io)).catch(cancelled);
}

export interface Choice {
  value: string;
  name: string;
}

export async function pick(io: IO, message: string, choices: Choice[]): Promise<string> {
  const { search } = await import("@inquirer/prompts");
  return search(
    {
      message,
      source: (term) => {
        const t = (term ?? "").toLowerCase();
        return choices.filter((c) => c.name.toLowerCase().includes(t)).slice(0, 200);
      },
    },
    context(io),
  ).catch(cancelled);
}

/**
 * The rule for destructive commands: on a TTY ask; otherwise refuse unless
 * --yes was given (exit 2, nothing changed).
 */
export async function confirmDestructive(io: IO, question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!isInteractive(io)) {
    throw new UsageError(`refusing to ${question.replace(/\?$/, "")} without confirmation`, "pass --yes to confirm, or --dry-run to see what would change");
  }
  if (!(await confirm(io, question))) throw new CliError("cancelled: nothing changed", ExitCode.failure);
}
