// Help as gh gives it: every subcommand's help lists the flags it inherits
// from the program, and a group name followed by an id (`history user-42`)
// points at the subcommand that was meant.
import { Help, type Command, type Option } from "commander";
import { sanitizeEcho } from "./render/sanitize.js";

/** Show the program's flags in every subcommand's help, under their own heading. */
const inherited = new Help();
inherited.showGlobalOptions = true;

export function showInheritedFlags(cmd: Command): void {
  cmd.configureHelp({
    showGlobalOptions: true,
    // --version answers only at the top.
    visibleGlobalOptions: (c) => inherited.visibleGlobalOptions(c).filter((o) => o.long !== "--version"),
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

/**
 * For `upstash-memory history user-42`: "did you mean: upstash-memory history
 * show user-42". The subcommand is the group's only one, else its `show`.
 * Undefined when the unknown word is not under a group, or there is no such
 * subcommand (commander's own "Did you mean" covers misspelt subcommands).
 */
export function subcommandHint(program: Command, argv: string[]): string | undefined {
  let cmd = program;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") return undefined;
    if (word.startsWith("-")) {
      const o = findOption(cmd, word.split("=")[0]);
      if (o && (o.required || o.optional) && !word.includes("=")) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) {
      cmd = sub;
      continue;
    }
    if (cmd === program || !cmd.commands.length) return undefined;
    const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    const meant = visible.length === 1 ? visible[0] : visible.find((c) => c.name() === "show");
    if (!meant) return undefined;
    // The same command line, with the subcommand after the group's name.
    const line = argv.slice(0, i).concat(meant.name(), argv.slice(i));
    return `did you mean: ${[program.name(), ...line.map((w) => quote(sanitizeEcho(w)))].join(" ")}`;
  }
  return undefined;
}
