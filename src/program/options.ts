// Option parsers shared by the commands. Commander reports their errors as
// usage errors (exit 2) through the single handler.
import { InvalidArgumentError, type Command, type Option } from "commander";
import { UsageError } from "../errors/errors.js";

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

// ---------------------------------------------------------------------------
// Flags that go together and flags that do not: declared once per command,
// checked by one hook before the action runs, so a bad combination is a usage
// error (exit 2) before anything is read or written.
//
// A name in a rule is a flag ("--json", the command's own or a global one
// such as "--token"), an argument ("<sessionId>", "<content>"), or a fact the
// command computes from its arguments (`facts`, e.g. expire's "a DURATION").
// A flag counts as given when it is on the command line: defaults do not
// count, so `--format` conflicts with `--json` only when typed.

export interface FlagRules {
  /** Groups of which at most one may be given. */
  exclusive?: string[][];
  /** Groups of which exactly one must be given: [names, usage shown when none is]. */
  oneOf?: [names: string[], usage: string][];
  /** flag → what it only works with, e.g. { "--backup": "--store" }. */
  requires?: Record<string, string>;
  /** Names for what the command derives from its arguments. */
  facts?: Record<string, (cmd: Command) => boolean>;
}

function findOption(cmd: Command, flag: string): { owner: Command; option: Option } | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const option = c.options.find((o) => o.long === flag || o.short === flag);
    if (option) return { owner: c, option };
  }
  return undefined;
}

/** "<sessionIds>" → "session ids", as said in a message. */
function argumentLabel(name: string): string {
  return name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

function given(cmd: Command, name: string, facts: FlagRules["facts"]): boolean {
  if (facts?.[name]) return facts[name](cmd);
  if (name.startsWith("-")) {
    const found = findOption(cmd, name);
    if (!found) throw new Error(`flag rules name an unknown flag ${name}`);
    const source = found.owner.getOptionValueSource(found.option.attributeName());
    return source === "cli" || source === "env";
  }
  const argName = name.replace(/^[<[]|(\.\.\.)?[>\]]$/g, "");
  const index = cmd.registeredArguments.findIndex((a) => a.name() === argName);
  if (index < 0) throw new Error(`flag rules name an unknown argument ${name}`);
  const value = cmd.processedArgs[index] as unknown;
  return Array.isArray(value) ? value.length > 0 : value !== undefined;
}

function label(name: string): string {
  return name.startsWith("<") || name.startsWith("[")
    ? argumentLabel(name.replace(/^[<[]|(\.\.\.)?[>\]]$/g, ""))
    : name;
}

/** Throws the usage error for the first rule the command line breaks. */
export function checkFlagRules(cmd: Command, rules: FlagRules): void {
  const has = (n: string) => given(cmd, n, rules.facts);
  for (const group of [...(rules.exclusive ?? []), ...(rules.oneOf ?? []).map(([names]) => names)]) {
    const present = group.filter(has);
    if (present.length > 1)
      throw new UsageError(
        `${present.map(label).join(" and ")} cannot be used together`,
        `choose one of ${group.map(label).join(", ")}`,
      );
  }
  for (const [names, usage] of rules.oneOf ?? []) {
    if (!names.some(has)) throw new UsageError(`missing ${names.map(label).join(" or ")}`, `usage: ${usage}`);
  }
  for (const [flag, needed] of Object.entries(rules.requires ?? {})) {
    if (has(flag) && !has(needed)) throw new UsageError(`${label(flag)} only works with ${label(needed)}`);
  }
}

/** The command's flag rules as its preAction hook: `.hook("preAction", flagRules({...}))`. */
export function flagRules(rules: FlagRules): (self: Command, action: Command) => void {
  return (self, action) => {
    if (self === action) checkFlagRules(self, rules);
  };
}
