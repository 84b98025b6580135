// Results of the commands that change data: one line per session on stderr
// for people, JSON on stdout for scripts.
import { formatTtl } from "../duration.js";
import type { Output } from "./output.js";
import type { Target } from "../write/targets.js";
import { sanitizeEcho, sanitizeLine } from "./sanitize.js";

export { plural } from "./plural.js";
import { plural } from "./plural.js";

/** "delete 3 sessions, 214 messages" */
export function describeTargets(verb: string, targets: Target[]): string {
  const messages = targets.reduce((a, t) => a + t.count, 0);
  return `${verb} ${plural(targets.length, "session")}, ${plural(messages, "message")}`;
}

export async function listTargets(out: Output, targets: Target[]): Promise<void> {
  for (const t of targets) await out.tsv([t.sessionId, t.count, t.ttlSeconds ?? "never"]);
}

export function ttlText(ttl: number | null): string {
  return ttl === null ? "no TTL (never expires)" : `TTL ${formatTtl(ttl)}`;
}

export function sessionLine(sessionId: string, text: string): string {
  return `${sanitizeLine(sessionId)}: ${sanitizeEcho(text)}`;
}
