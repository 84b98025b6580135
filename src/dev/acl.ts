// One Redis user per token, on the redis-server `dev` starts, allowed exactly
// the commands the policy lets that token run (and nothing else, whatever the
// depth): a script run with the read-only token (EVAL_RO, FCALL_RO) gets NOPERM
// from Redis itself for KEYS, SCAN, SLOWLOG or a write, and no script reaches a
// command the policy refuses to everybody (SELECT, CONFIG, ...). The policy
// still vets every request first; the users are the line Redis holds below it.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { CommandTable } from "./command-table.js";
import { type Access, mayRun } from "./policy.js";

export const ACL_USERS: Record<Access, string> = {
  full: "upstash-memory-full",
  readonly: "upstash-memory-readonly",
};

/**
 * Commands the endpoint's own connections send on their behalf: naming the
 * connection (CLIENT SETNAME, so CLIENT LIST tells them apart), and a
 * subscription stream's (SSE) subscribing. Requests never reach them.
 */
const CONNECTION_COMMANDS = ["client|setname", "subscribe", "psubscribe", "unsubscribe", "punsubscribe"];

/** The ACL rules of the user for this access: every key and channel, only the policy's commands. */
export function aclRules(table: CommandTable, access: Access): string[] {
  const rules = ["reset", "on", "~*", "&*", "-@all"];
  for (const cmd of table.all()) {
    const lower = cmd.name.toLowerCase();
    // A container allowed bare (COMMAND) cannot be allowed without its subcommands;
    // the policy refuses those at the top, and they only read.
    if (cmd.bare && mayRun(cmd.name, cmd.spec, access)) rules.push(`+${lower}`);
    for (const [sub, spec] of cmd.subcommands) {
      if (mayRun(cmd.name, spec, access)) rules.push(`+${lower}|${sub.toLowerCase()}`);
    }
  }
  for (const c of CONNECTION_COMMANDS) rules.push(`+${c}`);
  return rules;
}

/**
 * Creates (or resets) the user of each access, with a new random password, and
 * returns a URL per access that logs in as it.
 */
export async function createAclUsers(
  admin: Redis,
  redisUrl: string,
  table: CommandTable,
): Promise<Record<Access, string>> {
  const urls = {} as Record<Access, string>;
  for (const access of ["full", "readonly"] as const) {
    const password = randomBytes(24).toString("hex");
    await admin.call("ACL", "SETUSER", ACL_USERS[access], ...aclRules(table, access), `>${password}`);
    const url = new URL(redisUrl);
    url.username = ACL_USERS[access];
    url.password = password;
    urls[access] = url.toString();
  }
  return urls;
}
