// What the Redis server behind the endpoint says about a command (COMMAND INFO):
// whether it exists at all (path-style routes) and its flags and ACL categories
// (the read-only token). Looked up on first use, then cached by name.

export interface CommandSpec {
  /** e.g. "write", "readonly", "admin". */
  flags: Set<string>;
  /** ACL categories without the "@", e.g. "scripting", "pubsub". */
  categories: Set<string>;
  /** Container commands (CONFIG, SCRIPT, ...) keep their flags here, keyed "config|set". */
  subcommands: Map<string, CommandSpec>;
}

/** Sends `COMMAND INFO <name>` and returns the raw reply. */
export type CommandInfoLookup = (name: string) => Promise<unknown>;

export class CommandTable {
  // Only commands that exist are cached: the server has a few hundred, while
  // the unknown names clients may send are unbounded.
  private readonly known = new Map<string, CommandSpec>();
  private readonly pending = new Map<string, Promise<CommandSpec | undefined>>();

  constructor(private readonly lookup: CommandInfoLookup) {}

  /** The command's spec, or undefined when the server has no such command. */
  get(name: string): Promise<CommandSpec | undefined> {
    const key = name.toLowerCase();
    const cached = this.known.get(key);
    if (cached) return Promise.resolve(cached);
    let inflight = this.pending.get(key);
    if (!inflight) {
      inflight = this.lookup(key)
        .then((reply) => {
          const entry = Array.isArray(reply) ? reply[0] : undefined;
          const spec = Array.isArray(entry) ? parseEntry(entry) : undefined;
          if (spec) this.known.set(key, spec);
          return spec;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, inflight);
    }
    return inflight;
  }
}

/**
 * One COMMAND INFO entry: [name, arity, flags, first key, last key, step,
 * ACL categories (Redis 6+), tips, key specs, subcommands (Redis 7+)].
 */
function parseEntry(entry: unknown[]): CommandSpec {
  const subcommands = new Map<string, CommandSpec>();
  if (Array.isArray(entry[9])) {
    for (const sub of entry[9]) {
      if (Array.isArray(sub)) subcommands.set(text(sub[0]).toLowerCase(), parseEntry(sub));
    }
  }
  return {
    flags: new Set(list(entry[2]).map((f) => f.toLowerCase())),
    categories: new Set(list(entry[6]).map((c) => c.replace(/^@/, "").toLowerCase())),
    subcommands,
  };
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(text) : [];
}

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}
