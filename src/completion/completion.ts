// Shell completion through @bomb.sh/tab: its bash/zsh/fish scripts call
// `upstash-memory complete -- <words>` and it answers from a model of the
// commands. The model is built here from the commander tree rather than with
// the library's commander adapter, because the adapter does not offer the
// global flags inside subcommands and names the script command itself; here
// every subcommand also completes the global flags, and values come from what
// the tool knows: choices, roles, profile names, settings, and session ids
// from one bounded SCAN when a connection is configured (silently nothing
// otherwise). Loaded only by `completion` and `complete`.
import type { Argument as CmdArgument, Command, Option as CmdOption } from "commander";
import { type Command as TabCommand, RootCommand, type Complete } from "@bomb.sh/tab";
import type { Context, GlobalOptions } from "../program/context.js";
import { SETTING_KEYS } from "../config/settings.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

const ROLES = ["user", "assistant", "system", "tool", "human", "ai"];
/** Options and arguments whose value is a path: the shell completes files. */
const FILE_VALUES = new Set(["file", "out", "backup", "prompt"]);
const SESSION_ARGS = new Set(["sessionId", "sessionIds", "args", "ids", "pattern"]);
/** Whole budget for the session-id lookup (UPSTASH_MEMORY_COMPLETION_MS overrides it, e.g. on a slow link). */
const LOOKUP_MS = 300;

/**
 * Thrown by a handler whose values are not loaded yet: the library's handlers
 * are synchronous, so the values are loaded and the request parsed again.
 * Nothing is loaded for completions that do not need it.
 */
class Need extends Error {
  constructor(readonly what: "profiles" | "sessions") {
    super(what);
  }
}

interface Values {
  /** null until loaded. */
  profiles: string[] | null;
  sessions: string[] | null;
  /** Set when what is completed is a path. */
  files: boolean;
}

/** The library writes with console.log: collect what it writes. */
function capture(fn: () => void): string[] {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
  try {
    fn();
  } finally {
    console.log = log;
  }
  return lines;
}

// The bash script reads the command line with bash-completion's
// _get_comp_words_by_ref; without that package (minimal systems), this gives
// it the plain split bash itself provides.
const BASH_FALLBACK = `
# Without the bash-completion package: the words as bash split them.
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
    _get_comp_words_by_ref() {
        cur="\${COMP_WORDS[COMP_CWORD]}"
        prev="\${COMP_WORDS[COMP_CWORD-1]}"
        words=("\${COMP_WORDS[@]:0:COMP_CWORD+1}")
        cword=$COMP_CWORD
    }
fi
`;

export function completionScript(shell: Shell, name: string): string {
  const root = new RootCommand();
  const script = `${capture(() => root.setup(name, name, shell)).join("\n")}\n`;
  return shell === "bash" ? script + BASH_FALLBACK : script;
}

function profilesOf(v: Values): string[] {
  if (v.profiles === null) throw new Need("profiles");
  return v.profiles;
}

function optionHandler(o: CmdOption, v: Values) {
  const name = o.attributeName();
  if (o.argChoices?.length)
    return (complete: Complete) => {
      for (const c of o.argChoices!) complete(c, "");
    };
  if (name === "profile")
    return (complete: Complete) => {
      for (const p of profilesOf(v)) complete(p, "profile");
    };
  if (name === "role")
    return (complete: Complete) => {
      for (const r of ROLES) complete(r, "");
    };
  if (FILE_VALUES.has(name))
    return () => {
      v.files = true;
    };
  return () => {};
}

function addOptions(target: TabCommand, options: readonly CmdOption[], v: Values): void {
  for (const o of options) {
    if (o.hidden || !o.long) continue;
    const long = o.long.replace(/^--/, "");
    const short = o.short?.replace(/^-/, "");
    if (o.required || o.optional) target.option(long, o.description, optionHandler(o, v), short);
    else target.option(long, o.description, short);
  }
}

function argumentHandler(cmd: Command, a: CmdArgument, v: Values) {
  const name = a.name();
  if (a.argChoices?.length)
    return (complete: Complete) => {
      for (const c of a.argChoices!) complete(c, "");
    };
  if (SESSION_ARGS.has(name)) {
    return (complete: Complete) => {
      if (v.sessions === null) throw new Need("sessions");
      for (const s of v.sessions) complete(s, "session");
    };
  }
  if (name === "name" && cmd.parent?.name() === "config")
    return (complete: Complete) => {
      for (const p of profilesOf(v)) complete(p, "profile");
    };
  if (name === "name" && cmd.name() === "logout")
    return (complete: Complete) => {
      for (const p of profilesOf(v)) complete(p, "profile");
    };
  if (name === "key" && cmd.parent?.name() === "config")
    return (complete: Complete) => {
      for (const s of SETTING_KEYS) complete(s, "");
    };
  if (name === "file")
    return () => {
      v.files = true;
    };
  return undefined;
}

function buildModel(program: Command, v: Values): RootCommand {
  const root = new RootCommand();
  addOptions(root, program.options, v);
  const walk = (cmd: Command, path: string) => {
    for (const sub of cmd.commands) {
      if ((sub as unknown as { _hidden?: boolean })._hidden) continue;
      const full = path ? `${path} ${sub.name()}` : sub.name();
      const c = root.command(full, sub.description());
      addOptions(c, sub.options, v);
      addOptions(c, program.options, v);
      for (const a of sub.registeredArguments) c.argument(a.name(), argumentHandler(sub, a, v), a.variadic);
      walk(sub, full);
    }
  };
  walk(program, "");
  return root;
}

/** --url, --token, --profile and --prefix as typed so far on the command line. */
function globalsFrom(words: string[]): GlobalOptions {
  const g: GlobalOptions = {};
  const flags: Record<string, keyof GlobalOptions> = {
    "--url": "url",
    "--token": "token",
    "--profile": "profile",
    "-p": "profile",
    "--prefix": "prefix",
  };
  for (let i = 0; i < words.length - 1; i++) {
    const [flag, inline] = words[i].split(/=(.*)/s);
    const key = flags[flag];
    if (!key) continue;
    (g as Record<string, string>)[key] = inline ?? words[++i];
  }
  return g;
}

/** Session ids starting with `typed`, from one SCAN request; [] on any problem or past the budget. */
async function lookupSessions(ctx: Context, words: string[], typed: string): Promise<string[]> {
  const budget =
    Number(ctx.io.env.UPSTASH_MEMORY_COMPLETION_MS) > 0 ? Number(ctx.io.env.UPSTASH_MEMORY_COMPLETION_MS) : LOOKUP_MS;
  const work = (async () => {
    const g = globalsFrom(words);
    const { needsProfiles, resolveConnection } = await import("../config/resolve.js");
    const profiles = needsProfiles(g, ctx.io.env)
      ? await (await import("../config/profiles.js")).ProfileStore.open(ctx.io.env)
      : undefined;
    const resolved = resolveConnection(g, ctx.io.env, profiles);
    const { openStore } = await import("../store/connect.js");
    const { KeySpace, escapeGlob } = await import("../sessions/keys.js");
    const keys = new KeySpace(resolved.prefix);
    const store = await openStore({
      url: resolved.url,
      token: resolved.token,
      timeoutMs: Math.max(budget - 50, 50),
      attempts: 1,
    });
    try {
      const [reply] = await store.pipeline(
        [["SCAN", "0", "MATCH", keys.match(`${escapeGlob(typed)}*`), "COUNT", 10_000, "TYPE", "list"]],
        { idempotent: true },
      );
      if (!reply.ok) return [];
      const { asArray, asText } = await import("../store/replies.js");
      const [, found] = asArray(reply.value);
      return asArray(found)
        .map((k) => keys.sessionId(asText(k)))
        .sort();
    } finally {
      void store.close();
    }
  })().catch(() => [] as string[]);
  const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), budget).unref());
  return Promise.race([work, timeout]);
}

async function profileNames(ctx: Context): Promise<string[]> {
  try {
    const { ProfileStore } = await import("../config/profiles.js");
    return (await ProfileStore.open(ctx.io.env)).names().sort();
  } catch {
    return [];
  }
}

/**
 * Answers one completion request: `words` are the command line after the
 * program name, the last one being what is typed ("" after a space). Writes
 * `value<TAB>description` lines, then `:<directive>`, as the scripts expect.
 */
export async function complete(ctx: Context, program: Command, words: string[]): Promise<void> {
  const v: Values = { profiles: null, sessions: null, files: false };
  const root = buildModel(program, v);
  let lines: string[] = [];
  for (let pass = 0; pass < 3; pass++) {
    try {
      lines = capture(() => root.parse([...words]));
      break;
    } catch (err) {
      if (!(err instanceof Need)) throw err;
      if (err.what === "profiles") v.profiles = await profileNames(ctx);
      else v.sessions = await lookupSessions(ctx, words, words[words.length - 1] ?? "");
    }
  }
  // A path is completed by the shell itself (directive 0: files allowed).
  if (v.files) lines = lines.map((l) => (/^:\d+$/.test(l) ? ":0" : l));
  ctx.io.stdout.write(`${lines.join("\n")}\n`);
}
