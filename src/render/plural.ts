// Counted nouns, the one way every message says them: "1 message", "2 messages".
import type { StoreStats } from "../store/types.js";

/** The noun's form for `n`: "message" for 1, "messages" otherwise. */
export function noun(n: number, word: string, many = `${word}s`): string {
  return n === 1 ? word : many;
}

/** "1 message", "1,204 messages". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${noun(n, word, many)}`;
}

/**
 * The --stats line: what was sent, in the unit each transport is billed or
 * timed in. Plain numbers (no digit grouping): scripts and the benchmarks read them.
 */
export function statsLine(stats: StoreStats, transport: "rest" | "redis"): string {
  const { requests, commands } = stats;
  return `stats: ${requests} ${noun(requests, transport === "rest" ? "HTTP request" : "round trip")}, ${commands} ${noun(commands, "Redis command")}`;
}
