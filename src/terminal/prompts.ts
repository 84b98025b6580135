// Interactive questions (inquirer), asked on stderr so stdout stays data.
// Loaded only by the commands that ask, and only on a TTY.
import type { IO } from "./io.js";
import { isDumb, isInteractive } from "./io.js";
import { CliError, ExitCode, UsageError } from "../errors/errors.js";
import { sanitizeLine } from "../text/sanitize.js";
import { groupDigits } from "../text/plural.js";

function context(io: IO) {
  return { input: io.stdin, output: io.stderr, clearPromptOnDone: false };
}

/** Ctrl-C at a prompt: a clean "cancelled" and exit 130, not a stack trace. */
function cancelled(err: unknown): never {
  if ((err as Error)?.name === "ExitPromptError" || (err as Error)?.name === "AbortPromptError") {
    throw new CliError("cancelled: nothing changed", ExitCode.interrupted);
  }
  throw err;
}

// On TERM=dumb every question is asked as one plain line (prompts-plain.ts).
const plain = (io: IO) => (isDumb(io.env) ? import("./prompts-plain.js") : null);

export async function confirm(io: IO, message: string): Promise<boolean> {
  const p = await plain(io);
  if (p) return p.plainConfirm(io, message).catch(cancelled);
  const { confirm } = await import("@inquirer/prompts");
  return confirm({ message, default: false }, context(io)).catch(cancelled);
}

export async function askText(io: IO, message: string, validate?: (v: string) => true | string): Promise<string> {
  const p = await plain(io);
  if (p) return p.plainText(io, message, validate).catch(cancelled);
  const { input } = await import("@inquirer/prompts");
  return input({ message, validate }, context(io)).catch(cancelled);
}

export async function askSecret(io: IO, message: string): Promise<string> {
  const p = await plain(io);
  if (p) return p.plainSecret(io, message).catch(cancelled);
  const { password } = await import("@inquirer/prompts");
  return password({ message, mask: "•", validate: (v) => (v.trim() ? true : "required") }, context(io)).catch(
    cancelled,
  );
}

export interface Choice {
  value: string;
  name: string;
}

export async function pick(io: IO, message: string, choices: Choice[]): Promise<string> {
  const p = await plain(io);
  if (p) return p.plainPick(io, message, choices).catch(cancelled);
  const { search } = await import("@inquirer/prompts");
  return search(
    {
      // Nothing on the screen says a list can be searched: say it.
      message: `${message} (type to filter, Enter to choose)`,
      source: (term) => {
        const t = (term ?? "").toLowerCase();
        return choices.filter((c) => c.name.toLowerCase().includes(t)).slice(0, 200);
      },
    },
    context(io),
  ).catch(cancelled);
}

/** One session a destructive command is about to change. */
export interface Change {
  sessionId: string;
  /** Messages in the session now. */
  count: number;
  /** What happens to it, when it differs per session ("remove 2 elements"). */
  note?: string;
}

const NAMED = 10;

/** "  user-42   12 messages" for up to 10 sessions (by id), then "  and N more" (of `total`). */
export function changeLines(changes: Change[], total = changes.length): string[] {
  const sorted = [...changes].sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  const shown = sorted.slice(0, NAMED).map((c) => ({ id: sanitizeLine(c.sessionId), c }));
  const width = Math.min(Math.max(0, ...shown.map((x) => x.id.length)), 40);
  const counts = shown.map((x) => `${groupDigits(x.c.count)} message${x.c.count === 1 ? "" : "s"}`);
  const countWidth = Math.max(0, ...counts.map((c) => c.length));
  const lines = shown.map((x, i) =>
    `  ${x.id.padEnd(width)}  ${counts[i].padStart(countWidth)}${x.c.note ? `  ${x.c.note}` : ""}`.trimEnd(),
  );
  if (total > shown.length) lines.push(`  and ${groupDigits(total - shown.length)} more`);
  return lines;
}

/**
 * Refuses early, before any work, when there is no one to ask and no --yes
 * (exit 2, nothing changed).
 */
export function requireConsent(io: IO, action: string, yes: boolean | undefined): void {
  if (yes || isInteractive(io)) return;
  throw new UsageError(
    `refusing to ${action.replace(/\?$/, "")} without confirmation`,
    "pass --yes to confirm, or --dry-run to see what would change",
  );
}

/**
 * The one confirmation of every destructive command: on a terminal it names
 * what changes (up to 10 session ids with their message counts, then "and N
 * more", after any `details` such as a summary about to be stored) and asks;
 * without a terminal it refuses unless --yes was given.
 */
export async function confirmChanges(
  io: IO,
  opts: { question: string; changes: Change[]; total?: number; yes?: boolean; details?: string[] },
): Promise<void> {
  if (opts.yes) return;
  requireConsent(io, opts.question, opts.yes);
  const text = [...(opts.details ?? []), ...changeLines(opts.changes, opts.total)];
  if (text.length) io.stderr.write(`${text.join("\n")}\n`);
  if (!(await confirm(io, opts.question))) throw new CliError("cancelled: nothing changed", ExitCode.failure);
}
