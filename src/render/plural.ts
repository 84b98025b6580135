// Counted nouns, the one way every message says them: "1 message", "2 messages".
import type { StoreStats } from "../store/types.js";

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;
}

/** The --stats line: what was sent, in the unit each transport is billed or timed in. */
export function statsLine(stats: StoreStats, transport: "rest" | "redis"): string {
  return `stats: ${plural(stats.requests, transport === "rest" ? "HTTP request" : "round trip")}, ${plural(stats.commands, "Redis command")}`;
}
