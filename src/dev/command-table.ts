// The commands the endpoint may run: Upstash's documented commands
// (upstash-commands.ts) that the Redis behind it has, each with the flags and
// ACL categories Redis itself reports in COMMAND INFO. Loaded once, when the
// endpoint starts, and never changed afterwards: what a request may do does not
// depend on what earlier requests asked for.
import { asciiUpper } from "./command-name.js";
import { UPSTASH_COMMANDS } from "./upstash-commands.js";

export interface CommandSpec {
  /** e.g. "write", "readonly", "admin", "blocking" (lower case, as Redis reports them). */
  flags: Set<string>;
  /** ACL categories without the "@", e.g. "scripting", "pubsub". */
  categories: Set<string>;
}

export interface AllowedCommand {
  /** Canonical (upper-case ASCII) name. */
  name: string;
  spec: CommandSpec;
  /** Whether the command may run without a subcommand. */
  bare: boolean;
  /**
   * Allowed subcommands of a container command (CONFIG, SCRIPT, XINFO, ...),
   * canonical, each with its own flags (the container's on a Redis that does not
   * report subcommands).
   */
  subcommands: Map<string, CommandSpec>;
  /** Whether Redis has subcommands under this name: then an argument after it names one. */
  container: boolean;
}

/** Sends `COMMAND INFO name...` and returns the raw reply. */
export type CommandInfoLookup = (names: string[]) => Promise<unknown>;

export class CommandTable {
  private constructor(private readonly commands: ReadonlyMap<string, AllowedCommand>) {}

  /** Ask Redis about every allowed command, in one request. */
  static async load(lookup: CommandInfoLookup, allowed: readonly string[] = UPSTASH_COMMANDS): Promise<CommandTable> {
    const wanted = new Map<string, Set<string> | null>();
    for (const entry of allowed) {
      const [name, sub] = entry.split(" ");
      const subs = wanted.get(name) ?? null;
      if (sub === undefined) wanted.set(name, subs);
      else wanted.set(name, (subs ?? new Set()).add(sub));
    }
    const bare = new Set(allowed.filter((e) => !e.includes(" ")));
    const names = [...wanted.keys()];
    const reply = await lookup(names.map((n) => n.toLowerCase()));
    const entries = Array.isArray(reply) ? reply : [];
    const commands = new Map<string, AllowedCommand>();
    names.forEach((name, i) => {
      const entry = entries[i];
      // nil: this Redis has no such command (an Upstash module, a newer version).
      if (!Array.isArray(entry)) return;
      const spec = parseSpec(entry);
      const serverSubs = parseSubcommands(entry);
      const subcommands = new Map<string, CommandSpec>();
      for (const sub of wanted.get(name) ?? []) {
        const subSpec = serverSubs.size > 0 ? serverSubs.get(sub) : spec;
        if (subSpec) subcommands.set(sub, subSpec);
      }
      const container = serverSubs.size > 0 || subcommands.size > 0;
      if (!bare.has(name) && subcommands.size === 0) return;
      commands.set(name, { name, spec, bare: bare.has(name), subcommands, container });
    });
    return new CommandTable(commands);
  }

  /** The allowed command of this canonical name, or undefined when the endpoint does not run it. */
  get(name: string): AllowedCommand | undefined {
    return this.commands.get(name);
  }

  /** Every command the endpoint may run, in no particular order. */
  all(): Iterable<AllowedCommand> {
    return this.commands.values();
  }

  get size(): number {
    return this.commands.size;
  }
}

/**
 * One COMMAND INFO entry: [name, arity, flags, first key, last key, step,
 * ACL categories (Redis 6+), tips, key specs, subcommands (Redis 7+)].
 */
function parseSpec(entry: unknown[]): CommandSpec {
  return {
    flags: new Set(list(entry[2]).map((f) => f.toLowerCase())),
    categories: new Set(list(entry[6]).map((c) => c.replace(/^@/, "").toLowerCase())),
  };
}

/** Subcommands by canonical name ("config|get" → "GET"). */
function parseSubcommands(entry: unknown[]): Map<string, CommandSpec> {
  const subs = new Map<string, CommandSpec>();
  if (!Array.isArray(entry[9])) return subs;
  for (const sub of entry[9]) {
    if (!Array.isArray(sub)) continue;
    const full = text(sub[0]);
    subs.set(asciiUpper(full.slice(full.indexOf("|") + 1)), parseSpec(sub));
  }
  return subs;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(text) : [];
}

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString("latin1") : String(value);
}
