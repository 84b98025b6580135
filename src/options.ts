// Option parsers shared by the commands. Commander reports their errors as
// usage errors (exit 2) through the single handler.
import { InvalidArgumentError } from "commander";
import { UsageError } from "./errors.js";

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError("expected a whole number of at least 1");
  }
  return Number(value);
}

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError("expected a whole number");
  }
  return Number(value);
}

/** An example that is a whole shell line (a pipe into the CLI, an environment variable before it). */
export interface ShellLine {
  shell: string;
}

export function shellLine(line: string): ShellLine {
  return { shell: line };
}

/**
 * Help text section: `$ upstash-memory ...` lines, each with a short comment.
 * A plain string is the arguments after `upstash-memory`; a ShellLine is
 * printed as it is, so every `$` line pastes into a shell as shown.
 */
export function examples(...lines: (string | ShellLine)[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${typeof l === "string" ? `upstash-memory ${l}` : l.shell}`).join("\n")}\n`;
}

/**
 * Bulk commands act on session ids or on --match PATTERN, never both; with
 * `usage` given, one of the two is required.
 */
export function idsOrMatch(ids: string[], match: string | undefined, usage?: string): void {
  if (match !== undefined && ids.length) throw new UsageError("give session ids or --match, not both");
  if (usage && match === undefined && !ids.length) throw new UsageError("missing session id", `usage: ${usage}`);
}
