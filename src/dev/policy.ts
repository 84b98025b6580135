// What the endpoint runs, decided before anything reaches Redis.
//
// A command runs only when all of these hold:
// - its name is ASCII (canonical-name.ts): Redis has no other commands, and a
//   name folded by Unicode rules could mean one thing here and another there;
// - it is one Upstash documents (an allowlist) and the Redis behind us has it;
// - it cannot block, or change the state of, a connection: every request shares
//   connections with other requests, so the next one would inherit a selected
//   database, a subscription, a MULTI, or a wait that never ends;
// - it does not administer the server (Upstash refuses those too);
// - with the read-only token: Redis does not flag it as a write, and it is not
//   SCAN or KEYS (as Upstash's read-only tokens).
// The result is a VettedCommand carrying the canonical name: the executor sends
// exactly that, so the check and the execution cannot disagree on a spelling.
import { canonicalName, isKeyword, printableName } from "./command-name.js";
import type { AllowedCommand, CommandSpec, CommandTable } from "./command-table.js";
import type { Argv } from "./routes.js";
import { isUpstashCommand, whereToFind } from "./upstash-commands.js";

export type Access = "full" | "readonly";

declare const vetted: unique symbol;

/** A command the policy allowed, with its canonical name (and subcommand) in argv. */
export interface VettedCommand {
  readonly argv: Argv;
  /** Answered without asking Redis (COPY onto itself). */
  readonly constantReply?: number;
  readonly [vetted]: true;
}

export interface Refusal {
  readonly refused: string;
  /** No command of that name runs here at all (a path-style route answers 404). */
  readonly unknown: boolean;
}

/** Commands refused whoever asks, with the reason given to the client. */
const REFUSED = new Map<string, string>();

function refuse(names: string[], reason: (name: string) => string): void {
  for (const name of names) REFUSED.set(name, reason(name.toLowerCase()));
}

for (const [name, instead] of [
  ["BLPOP", "LPOP"],
  ["BRPOP", "RPOP"],
  ["BLMOVE", "LMOVE"],
  ["BRPOPLPUSH", "RPOPLPUSH"],
  ["BLMPOP", "LMPOP"],
  ["BZPOPMIN", "ZPOPMIN"],
  ["BZPOPMAX", "ZPOPMAX"],
  ["BZMPOP", "ZMPOP"],
]) {
  refuse([name], (n) => `ERR blocking command '${n}' is not supported over REST: call ${instead} and poll`);
}
refuse(["WAIT", "WAITAOF"], (n) => `ERR '${n}' blocks the connection and is not supported over REST`);
refuse(
  ["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR"],
  (n) => `ERR '${n}' needs a long-lived connection and is not supported over REST`,
);
refuse(
  ["WATCH", "UNWATCH", "MULTI", "EXEC", "DISCARD"],
  (n) => `ERR '${n}' is not supported over REST: send the commands to /multi-exec to run them as one transaction`,
);
/** Commands that reach past the one database; the endpoint's own redis-server denies them in scripts too. */
export const OTHER_DATABASES = ["SELECT", "SWAPDB", "MOVE", "MIGRATE"];
refuse(OTHER_DATABASES.slice(0, 3), (n) => `ERR '${n}' is not supported over REST: the endpoint serves one database`);
refuse(["AUTH", "HELLO"], (n) => `ERR '${n}' is not supported over REST: authenticate with the REST token`);
refuse(
  ["CLIENT", "QUIT", "RESET", "READONLY", "READWRITE", "ASKING"],
  (n) => `ERR '${n}' changes connection state and is not supported over REST`,
);
refuse(
  [
    "SHUTDOWN",
    "DEBUG",
    "CONFIG",
    "SAVE",
    "BGSAVE",
    "BGREWRITEAOF",
    "REPLICAOF",
    "SLAVEOF",
    "FAILOVER",
    "CLUSTER",
    "MODULE",
    "ACL",
    "MIGRATE",
    "SYNC",
    "PSYNC",
    "REPLCONF",
  ],
  (n) => `ERR '${n}' administers the server and is not allowed over REST`,
);

/** Never sent to Redis, whatever a caller passes the executor: the second line of defence. */
export function isNeverRun(name: string): boolean {
  return REFUSED.has(name);
}

/** Refused to a read-only token although Redis calls them reads: listing every key. */
const NOT_FOR_READONLY = new Set(["SCAN", "KEYS"]);

/** Flags that mark a command as changing data, or having effects beyond its reply. */
const WRITE_FLAGS = ["write", "admin", "may-replicate", "pubsub"];

/** Every command vet() returned: the executor sends nothing else. */
const issued = new WeakSet<object>();

export function wasVetted(command: VettedCommand): boolean {
  return issued.has(command);
}

export class CommandPolicy {
  /** `redisVersion`: the redis_version of the server behind, named when it lacks an Upstash command. */
  constructor(
    private readonly table: CommandTable,
    private readonly redisVersion = "Redis of unknown version",
  ) {}

  /** The command as it may run with this access, or why it may not. */
  vet(argv: Argv, access: Access): VettedCommand | Refusal {
    const name = canonicalName(argv[0]);
    if (!name) return unknownCommand(argv[0]);
    const refused = REFUSED.get(name);
    if (refused) return { refused, unknown: false };
    const allowed = this.table.get(name);
    if (!allowed) {
      if (isUpstashCommand(name)) {
        const lower = name.toLowerCase();
        return {
          refused: `ERR '${lower}' is an Upstash command the Redis behind this endpoint (${this.redisVersion}) does not have: ${whereToFind(name)}; point dev --redis at one`,
          unknown: false,
        };
      }
      return unknownCommand(argv[0]);
    }

    const resolved = resolveSubcommand(allowed, argv);
    if ("refused" in resolved) return resolved;
    const { spec, head } = resolved;
    const lower = head.join("|").toLowerCase();

    if (spec.flags.has("blocking")) {
      const blocked = blockingRefusal(name, lower, argv);
      if (blocked) return blocked;
    }
    if (!readableWith(name, spec, access)) return noPerm(lower);

    let constantReply: number | undefined;
    if (name === "COPY") {
      const copy = copyPlan(argv);
      if ("refused" in copy) return copy;
      constantReply = copy.constantReply;
    }
    // Frozen: what was checked is what runs.
    const command = Object.freeze({
      argv: Object.freeze([...head, ...argv.slice(head.length)]),
      constantReply,
    }) as unknown as VettedCommand;
    issued.add(command);
    return command;
  }
}

/** Whether this access may run the command at all, its arguments aside (they may still be refused). */
export function mayRun(name: string, spec: CommandSpec, access: Access): boolean {
  if (REFUSED.has(name)) return false;
  // XREAD and XREADGROUP block only with BLOCK, which vet() refuses.
  if (spec.flags.has("blocking") && name !== "XREAD" && name !== "XREADGROUP") return false;
  return readableWith(name, spec, access);
}

function readableWith(name: string, spec: CommandSpec, access: Access): boolean {
  return access === "full" || !(NOT_FOR_READONLY.has(name) || isWrite(spec));
}

export function isRefusal(v: VettedCommand | Refusal): v is Refusal {
  return "refused" in v;
}

function unknownCommand(arg: Argv[number] | undefined): Refusal {
  return {
    refused: `ERR unknown command '${printableName(arg)}': not one of the commands Upstash's REST API supports`,
    unknown: true,
  };
}

/** The flags that apply (a subcommand's own), and the canonical name words. */
function resolveSubcommand(allowed: AllowedCommand, argv: Argv): { spec: CommandSpec; head: string[] } | Refusal {
  const lower = allowed.name.toLowerCase();
  if (!allowed.container || argv.length < 2) {
    if (allowed.bare) return { spec: allowed.spec, head: [allowed.name] };
    return { refused: `ERR '${lower}' needs a subcommand`, unknown: false };
  }
  const sub = canonicalName(argv[1]);
  const spec = sub === undefined ? undefined : allowed.subcommands.get(sub);
  if (sub === undefined || !spec) {
    return {
      refused: `ERR unknown subcommand '${printableName(argv[1])}' for '${lower}': not one Upstash's REST API supports`,
      unknown: false,
    };
  }
  return { spec, head: [allowed.name, sub] };
}

function isWrite(spec: CommandSpec): boolean {
  return (
    WRITE_FLAGS.some((f) => spec.flags.has(f)) ||
    // A script may write unless declared read-only (EVAL_RO, EVALSHA_RO, FCALL_RO);
    // this also covers SCRIPT and FUNCTION management.
    (spec.categories.has("scripting") && !spec.flags.has("readonly"))
  );
}

function noPerm(name: string): Refusal {
  return { refused: `NOPERM this user has no permissions to run the '${name}' command`, unknown: false };
}

/**
 * Commands Redis flags "blocking". XREAD and XREADGROUP block only with BLOCK,
 * found by walking their arguments exactly as Redis' xreadCommand does; every
 * other one always may block and is refused.
 */
function blockingRefusal(name: string, lower: string, argv: Argv): Refusal | undefined {
  if (name !== "XREAD" && name !== "XREADGROUP") {
    return { refused: `ERR blocking command '${lower}' is not supported over REST`, unknown: false };
  }
  const blocked = {
    refused: `ERR ${name} with BLOCK is not supported over REST: leave out BLOCK and poll`,
    unknown: false,
  };
  for (let i = 1; i < argv.length; i++) {
    const moreArgs = argv.length - i - 1;
    const arg = argv[i];
    if (isKeyword(arg, "BLOCK") && moreArgs > 0) return blocked;
    if (isKeyword(arg, "COUNT") && moreArgs > 0) i++;
    else if (isKeyword(arg, "STREAMS") && moreArgs > 0) return undefined;
    else if (isKeyword(arg, "GROUP") && moreArgs >= 2) i += 2;
    else if (!isKeyword(arg, "NOACK")) break;
  }
  // Arguments Redis would reject before blocking; refused here all the same,
  // so a grammar this walk does not know can never block.
  return { refused: "ERR syntax error", unknown: false };
}

/**
 * COPY source destination [DB n] [REPLACE]. Upstash serves one database, so DB
 * is refused; a copy onto itself answers 0 ("not copied") as on Upstash, where
 * Redis would answer an error.
 */
function copyPlan(argv: Argv): { constantReply?: number } | Refusal {
  if (argv.length < 3) return {};
  for (const arg of argv.slice(3)) {
    if (isKeyword(arg, "DB")) {
      return {
        refused: "ERR COPY ... DB is not supported over REST: the endpoint serves one database",
        unknown: false,
      };
    }
    if (!isKeyword(arg, "REPLACE")) return {};
  }
  return sameBytes(argv[1], argv[2]) ? { constantReply: 0 } : {};
}

function sameBytes(a: Argv[number], b: Argv[number]): boolean {
  const bytes = (arg: Argv[number]) => (typeof arg === "string" ? Buffer.from(arg, "utf8") : arg);
  return bytes(a).equals(bytes(b));
}
