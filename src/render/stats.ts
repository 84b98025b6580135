// The --stats line: round trips and commands, and on a Redis Cluster the
// same per node, since the request budget there is counted per node. Plain
// numbers (no digit grouping): scripts and the benchmarks read them.
import type { StoreStats } from "../store/types.js";
import { noun } from "../text/plural.js";

const count = (n: number, word: string) => `${n} ${noun(n, word)}`;

export function statsLine(transport: "rest" | "redis", stats: StoreStats): string {
  const line = `stats: ${count(stats.requests, transport === "rest" ? "HTTP request" : "round trip")}, ${count(stats.commands, "Redis command")}`;
  const nodes = Object.entries(stats.nodes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (!nodes.length) return line;
  return `${line} (${nodes.map(([name, n]) => `${name}: ${count(n.requests, "round trip")}, ${count(n.commands, "command")}`).join("; ")})`;
}
