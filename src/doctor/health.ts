// Key health: size and TTL. The TTL is where most forgotten conversations go:
// LangChain and current Flowise re-apply EXPIRE after every stored message, so
// the timeout slides with activity and a conversation left idle for longer
// disappears as a whole. Flowise releases before April 2024 never applied the
// node's Session Timeout at all, so their sessions have no TTL.
import type { HistoryRead } from "../history/read.js";
import { formatDuration } from "../duration/duration.js";
import { formatBytes, plural, shellArg, type Findings } from "./checks.js";

/** A TTL below this is about to run out whatever was configured. */
export const EXPIRING_SECONDS = 5 * 60;
/** Or below this share of the configured TTL. */
export const EXPIRING_SHARE = 0.1;

export interface ConfiguredTtl {
  seconds: number;
  /** `profile 'default'` */
  source: string;
}

export function elementBytes(read: HistoryRead): number {
  return read.newestFirst.reduce((sum, e) => sum + e.length, 0);
}

export function checkHealth(f: Findings, read: HistoryRead, sessionId: string, configured?: ConfiguredTtl): void {
  f.add("health", "size", "info", `${plural(read.count, "message")}, ${formatBytes(elementBytes(read))} stored`);
  const ttl = read.ttlSeconds;
  const expire = (d: string) => `upstash-memory expire ${shellArg(sessionId)} ${d}`;
  if (ttl === null) {
    if (configured) {
      f.add(
        "health",
        "ttl",
        "warn",
        `no TTL, but ${configured.source} sets ttl ${formatDuration(configured.seconds)}: this conversation never expires`,
        `Flowise before April 2024 never applied the node's Session Timeout and LangChain sets a TTL only with sessionTTL; \`${expire(compact(configured.seconds))}\` sets it on this one`,
      );
    } else {
      f.add(
        "health",
        "ttl",
        "info",
        "no TTL: kept until deleted (Flowise releases before April 2024 never set one, whatever the node's Session Timeout)",
      );
    }
    return;
  }
  const compared = configured ? `; ${configured.source} sets ttl ${formatDuration(configured.seconds)}` : "";
  const soon = ttl < EXPIRING_SECONDS || (configured !== undefined && ttl < configured.seconds * EXPIRING_SHARE);
  if (soon) {
    f.add(
      "health",
      "ttl",
      "warn",
      `expires in ${formatDuration(ttl)} unless a new message arrives${compared}`,
      `the TTL restarts with every stored message, so an idle conversation disappears whole: \`${expire(configured ? compact(configured.seconds) : "7d")}\` extends it, --persist keeps it`,
    );
  } else if (configured && ttl > configured.seconds) {
    f.add(
      "health",
      "ttl",
      "info",
      `expires in ${formatDuration(ttl)} if idle: longer than ${configured.source}'s ttl ${formatDuration(configured.seconds)}, so the app sets its own`,
    );
  } else {
    f.add(
      "health",
      "ttl",
      "pass",
      `expires in ${formatDuration(ttl)} if idle (the TTL restarts with every message)${compared}`,
    );
  }
}

/** Seconds as a duration the CLI accepts: 604800 → 7d, 5400 → 90m. */
function compact(seconds: number): string {
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
