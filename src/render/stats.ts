// The --stats line: round trips and commands, and on a Redis Cluster the
// same per node, since the request budget there is counted per node.
import type { StoreStats } from "../store/types.js";

export function statsLine(transport: "rest" | "redis", stats: StoreStats): string {
  const unit = transport === "rest" ? "HTTP requests" : "round trips";
  const line = `stats: ${stats.requests} ${unit}, ${stats.commands} Redis commands`;
  const nodes = Object.entries(stats.nodes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (!nodes.length) return line;
  return `${line} (${nodes.map(([name, n]) => `${name}: ${n.requests} round trip${n.requests === 1 ? "" : "s"}, ${n.commands} commands`).join("; ")})`;
}
