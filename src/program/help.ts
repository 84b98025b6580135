// Help as gh gives it: every subcommand's help lists the flags it inherits
// from the program, and a group name followed by an id (`history user-42`)
// points at the subcommand that was meant.
import { Help, type Command, type Option } from "commander";
import { sanitizeEcho } from "../text/sanitize.js";

/** Show the program's flags in every subcommand's help, under their own heading. */
const inherited = new Help();
inherited.showGlobalOptions = true;

export function showInheritedFlags(cmd: Command): void {
  // Added to what the command configured itself (expire names its arguments there).
  cmd.configureHelp({
    ...cmd.configureHelp(),
    showGlobalOptions: true,
    // --version answers only at the top; a flag the command defines itself (dev --token) is listed once, as its own.
    visibleGlobalOptions: (c) =>
      inherited
        .visibleGlobalOptions(c)
        .filter((o) => o.long !== "--version" && !c.options.some((own) => own.long === o.long)),
    styleTitle: (title) => (title === "Global Options:" ? "Inherited Options:" : title),
  });
}

const quote = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

function findOption(cmd: Command, flag: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o;
  }
  return undefined;
}

/** Skips a flag and, when it takes one, its value: the index of the last word it used. */
function skipFlag(cmd: Command, argv: string[], i: number): number {
  const word = argv[i];
  const o = findOption(cmd, word.split("=")[0]);
  return o && (o.required || o.optional) && !word.includes("=") ? i + 1 : i;
}

/** Where the command is named on the command line: the first word that is not a global flag or a flag's value (-1: none). */
function commandIndex(program: Command, argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") return -1;
    if (!argv[i].startsWith("-")) return i;
    i = skipFlag(program, argv, i);
  }
  return -1;
}

/** The command named on the command line. */
export function commandWord(program: Command, argv: string[]): string | undefined {
  const i = commandIndex(program, argv);
  return i < 0 ? undefined : argv[i];
}

/**
 * `help history show` is `history show --help`, global flags before it or not
 * (commander's own help command reads one level only).
 */
export function helpCommandArgs(program: Command, argv: string[]): string[] {
  const i = commandIndex(program, argv);
  return i >= 0 && argv[i] === "help" && i + 1 < argv.length
    ? [...argv.slice(0, i), ...argv.slice(i + 1), "--help"]
    : argv;
}

/** Words other tools use for these commands: `list` → `sessions list`, `show ID` → `history show ID`, `delete ID` → `clear ID`. */
const OTHER_TOOLS_WORDS: Record<string, string[]> = {
  list: ["sessions", "list"],
  ls: ["sessions", "list"],
  show: ["history", "show"],
  get: ["history", "show"],
  delete: ["clear"],
  del: ["clear"],
  remove: ["clear"],
};

/**
 * For `upstash-memory history user-42`: "did you mean: upstash-memory history
 * show user-42". The subcommand is the group's only one, else its `show`.
 * At the top, a word another tool would use names ours (`list`: `sessions list`).
 * Undefined when there is no such subcommand (commander's own "Did you mean"
 * covers misspelt subcommands).
 */
export function subcommandHint(program: Command, argv: string[]): string | undefined {
  let cmd = program;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") return undefined;
    if (word.startsWith("-")) {
      i = skipFlag(cmd, argv, i);
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) {
      cmd = sub;
      continue;
    }
    if (cmd === program) {
      const meant = Object.hasOwn(OTHER_TOOLS_WORDS, word) ? OTHER_TOOLS_WORDS[word] : undefined;
      if (!meant || !program.commands.some((c) => c.name() === meant[0])) return undefined;
      const line = argv.slice(0, i).concat(meant, argv.slice(i + 1));
      return `did you mean: ${[program.name(), ...line.map((w) => quote(sanitizeEcho(w)))].join(" ")}`;
    }
    if (!cmd.commands.length) return undefined;
    const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    const meant = visible.length === 1 ? visible[0] : visible.find((c) => c.name() === "show");
    if (!meant) return undefined;
    // The same command line, with the subcommand after the group's name.
    const line = argv.slice(0, i).concat(meant.name(), argv.slice(i));
    return `did you mean: ${[program.name(), ...line.map((w) => quote(sanitizeEcho(w)))].join(" ")}`;
  }
  return undefined;
}

const EXAMPLE = /^(\s*)(\$ .*?)(?:\s{2,}(# .*))?$/;
const width = (s: string) => [...s].length;

/**
 * Help text laid out for `columns` (the terminal's; 80 when piped), for the
 * parts commander does not wrap (examples and notes after the options, and
 * descriptions it leaves whole when the names column is wide). In a run of
 * examples where one does not fit, each comment moves to its own line above
 * its command; a note (lines at the margin) with a line too wide is reflowed
 * as one paragraph; any other line too wide is wrapped at spaces under its
 * own indentation. A command line is never broken: it must paste as it is.
 */
export function fitHelp(text: string, columns: number): string {
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (EXAMPLE.test(lines[i])) {
      let j = i;
      while (j < lines.length && EXAMPLE.test(lines[j])) j++;
      const run = lines.slice(i, j);
      if (run.some((l) => width(l) > columns)) {
        for (const l of run) {
          const [, indent, command, comment] = EXAMPLE.exec(l)!;
          if (comment) out.push(`${indent}${comment}`);
          out.push(`${indent}${command.trimEnd()}`);
        }
      } else out.push(...run);
      i = j;
      continue;
    }
    if (isNote(lines[i])) {
      let j = i;
      while (j < lines.length && isNote(lines[j])) j++;
      const note = lines.slice(i, j);
      out.push(...(note.some((l) => width(l) > columns) ? wrapLine(note.join(" "), columns) : note));
      i = j;
      continue;
    }
    out.push(...wrapLine(lines[i], columns));
    i++;
  }
  return out.join("\n");
}

/** A line of a note after the examples: text at the margin, not a heading ("Examples:"). */
function isNote(line: string): boolean {
  return /^\S/.test(line) && !/:$/.test(line) && !line.startsWith("Usage:");
}

function wrapLine(line: string, columns: number): string[] {
  // A line holding a command (`$ ...`) stays whole, however long.
  if (width(line) <= columns || line.includes("$ ")) return [line];
  const indent = /^\s*/.exec(line)![0];
  const words = line.slice(indent.length).split(/ +/);
  const out: string[] = [];
  let current = "";
  for (const w of words) {
    if (current && width(`${indent + current} ${w}`) > columns) {
      out.push(indent + current);
      current = w;
    } else current = current ? `${current} ${w}` : w;
  }
  if (current) out.push(indent + current);
  return out;
}
