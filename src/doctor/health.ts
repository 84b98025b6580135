// Key health: size and TTL. The TTL is where most forgotten conversations go.
// What the apps do with it (Flowise 3.1.4's Upstash memory node,
// `addChatMessages`; LangChain JS's `UpstashRedisChatMessageHistory.addMessage`):
// with a Session Timeout / sessionTTL, `EXPIRE key <its seconds>` after every
// message stored, so the TTL restarts at the app's own value whatever was set
// before (`expire ID 1h` or `--persist` is undone at the next message);
// without one, the TTL is never touched, so a TTL set by `expire` keeps
// counting down through new messages. Reading (LRANGE) never touches it.
// Flowise releases before April 2024 ignored the node's Session Timeout.
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

/** What every app does with a session's TTL, in one sentence. */
export const APP_TTL_RULE =
  "an app with a Session Timeout (Flowise) or sessionTTL (LangChain) runs EXPIRE with its own value after every message it stores; one without never touches the TTL; reads never do";

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
        `the app that writes it has no timeout (or is a Flowise release before April 2024, which ignored the node's Session Timeout), or no message was stored since the TTL was removed; \`${expire(compact(configured.seconds))}\` sets one, which an app without a timeout leaves counting down`,
      );
    } else {
      f.add(
        "health",
        "ttl",
        "info",
        "no TTL: kept until deleted. The app that writes it has no Session Timeout / sessionTTL (one with it sets the TTL after every message it stores), or no message was stored since the TTL was removed; reading never sets one",
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
      `expires in ${formatDuration(ttl)} unless an app with its own timeout stores a message first (one without a timeout does not extend it)${compared}`,
      `${APP_TTL_RULE}: an idle conversation disappears whole. \`${expire(configured ? compact(configured.seconds) : "7d")}\` extends it and --persist keeps it, until such an app's next message sets its own value again`,
    );
  } else if (configured && ttl > configured.seconds) {
    f.add(
      "health",
      "ttl",
      "info",
      `expires in ${formatDuration(ttl)}: longer than ${configured.source}'s ttl ${formatDuration(configured.seconds)}, so it was set by \`expire\` or by an app with a longer timeout of its own (which sets it again after every message it stores)`,
    );
  } else {
    f.add(
      "health",
      "ttl",
      "pass",
      `expires in ${formatDuration(ttl)}: a message stored by an app with its own timeout sets it back to that app's value, one stored by an app without leaves it counting down; reads never touch it${compared}`,
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
