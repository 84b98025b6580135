// Which commands the endpoint refuses, before they reach Redis.
//
// Every request shares connections with other requests, so a command that
// blocks a connection or changes its state (database, subscriptions, WATCH,
// client name) cannot be allowed: the next request would inherit it. A
// read-only token may in addition run only commands Redis does not flag as
// writes, and never SCAN or KEYS, as on Upstash.
import type { CommandSpec, CommandTable } from "./command-table.js";
import { argText, type Argv } from "./routes.js";

export type Access = "full" | "readonly";

const REFUSED = new Map<string, string>();

for (const [name, instead] of [
  ["blpop", "LPOP"],
  ["brpop", "RPOP"],
  ["blmove", "LMOVE"],
  ["brpoplpush", "RPOPLPUSH"],
  ["blmpop", "LMPOP"],
  ["bzpopmin", "ZPOPMIN"],
  ["bzpopmax", "ZPOPMAX"],
  ["bzmpop", "ZMPOP"],
]) {
  REFUSED.set(name, `ERR blocking command '${name}' is not supported over REST: call ${instead} and poll`);
}
for (const name of ["wait", "waitaof"]) {
  REFUSED.set(name, `ERR '${name}' blocks the connection and is not supported over REST`);
}
for (const name of ["subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "monitor"]) {
  REFUSED.set(name, `ERR '${name}' needs a long-lived connection and is not supported over REST`);
}
for (const name of ["watch", "unwatch", "multi", "exec", "discard"]) {
  REFUSED.set(name, `ERR '${name}' is not supported over REST: send the commands to /multi-exec to run them as one transaction`);
}
for (const name of ["select", "swapdb"]) {
  REFUSED.set(name, `ERR '${name}' is not supported over REST: the endpoint serves one database`);
}
for (const name of ["auth", "hello"]) {
  REFUSED.set(name, `ERR '${name}' is not supported over REST: authenticate with the REST token`);
}
for (const name of ["client", "quit", "reset"]) {
  REFUSED.set(name, `ERR '${name}' changes connection state and is not supported over REST`);
}
REFUSED.set("shutdown", "ERR 'shutdown' is not allowed over REST: stop the endpoint instead");

/** Refused to a read-only token whatever COMMAND INFO says: listing keys and running scripts. */
const NOT_FOR_READONLY = new Set(["scan", "keys", "eval", "evalsha", "fcall", "publish", "spublish"]);

export class CommandPolicy {
  constructor(private readonly table: CommandTable) {}

  /** Why the command may not run with this access, or undefined when it may. */
  async refusal(argv: Argv, access: Access): Promise<string | undefined> {
    const name = argText(argv[0]).toLowerCase();
    const refused = REFUSED.get(name) ?? blockingStreamRead(name, argv);
    if (refused) return refused;
    if (access === "full") return undefined;
    if (NOT_FOR_READONLY.has(name)) return noPerm(name);
    const spec = await this.table.get(name);
    // A command the server does not know: let Redis say so.
    if (!spec) return undefined;
    // Container commands (CONFIG, SCRIPT, ...) carry their flags per subcommand.
    const sub = `${name}|${argText(argv[1]).toLowerCase()}`;
    const subSpec = spec.subcommands.get(sub);
    if (subSpec) return writes(subSpec) ? noPerm(sub) : undefined;
    return writes(spec) ? noPerm(name) : undefined;
  }
}

/** XREAD / XREADGROUP with a BLOCK option before the STREAMS keyword. */
function blockingStreamRead(name: string, argv: Argv): string | undefined {
  if (name !== "xread" && name !== "xreadgroup") return undefined;
  for (const arg of argv.slice(1)) {
    const word = argText(arg).toLowerCase();
    if (word === "streams") return undefined;
    if (word === "block") return `ERR ${name.toUpperCase()} with BLOCK is not supported over REST: leave out BLOCK and poll`;
  }
  return undefined;
}

function writes(spec: CommandSpec): boolean {
  return (
    spec.flags.has("write") ||
    spec.flags.has("admin") ||
    // Scripts may write unless declared read-only (EVAL_RO, FCALL_RO); this also
    // covers SCRIPT LOAD/FLUSH and FUNCTION, whose flags do not say "write".
    (spec.categories.has("scripting") && !spec.flags.has("readonly"))
  );
}

function noPerm(name: string): string {
  return `NOPERM this user has no permissions to run the '${name}' command`;
}
