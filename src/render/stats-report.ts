// The `stats` report: on a terminal a compact page with small bar charts
// (Unicode eighth blocks) for the distributions; piped, the same lines as
// plain aligned text without bars or colours. `--json` is the report itself.
import type { StatsReport } from "../stats/stats.js";
import type { Output } from "./output.js";
import { groupDigits } from "../text/plural.js";
import { clip, sanitizeLine } from "../text/sanitize.js";

const BAR = 20;
const ID_MAX = 48;
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A bar of `value / max` of BAR cells, to the eighth of a cell; at least a sliver for any non-zero value. */
export function bar(value: number, max: number): string {
  if (max <= 0 || value <= 0) return "";
  const eighths = Math.max(1, Math.round((value / max) * BAR * 8));
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

function percent(n: number, total: number): string {
  return total ? `${Math.round((n / total) * 100)}%` : "";
}

/** "12.3 MB": bytes as people read them (powers of 1024, one decimal). */
export function humanBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

const TTL_LABELS: Record<keyof StatsReport["ttl"], string> = {
  none: "no TTL",
  under1h: "< 1 hour",
  under1d: "< 1 day",
  under7d: "< 7 days",
  longer: "≥ 7 days",
};

export async function renderStats(out: Output, r: StatsReport): Promise<void> {
  const s = await out.styles();
  const bars = out.tty;
  const lines: string[] = [];
  const heading = (t: string) => lines.push("", bars ? s.bold(t) : t);
  /** label, number, share, bar: aligned columns. */
  const rows = (items: [label: string, n: number][], total: number) => {
    const labelW = Math.max(...items.map(([l]) => Array.from(l).length));
    const numW = Math.max(...items.map(([, n]) => groupDigits(n).length));
    const max = Math.max(...items.map(([, n]) => n));
    for (const [label, n] of items) {
      const cols = [`  ${label.padEnd(labelW)}`, groupDigits(n).padStart(numW), percent(n, total).padStart(4)];
      if (bars) cols.push(s.ok(bar(n, max)));
      lines.push(cols.join("  ").trimEnd());
    }
  };
  const facts: [string, string][] = [
    ["sessions", groupDigits(r.sessions)],
    ["messages", groupDigits(r.messages)],
    ["not chat messages", groupDigits(r.unrecognized)],
    [
      "size",
      `${humanBytes(r.bytes)} (${r.bytesMeasure === "memory usage" ? "MEMORY USAGE of the keys" : "the elements"})`,
    ],
  ];
  const factW = Math.max(...facts.map(([l]) => l.length));
  for (const [l, v] of facts) lines.push(`${l.padEnd(factW)}  ${v}`);
  if (r.unrecognized > 0 && bars) lines[2] = s.warn(lines[2]);
  if (r.sessions > 0) {
    heading("messages by role");
    rows(
      Object.entries(r.byRole).map(([k, n]) => [k, n] as [string, number]),
      r.messages,
    );
    heading("messages per session");
    const m = r.messagesPerSession;
    lines.push(
      `  p50 ${groupDigits(m.p50)}  p90 ${groupDigits(m.p90)}  p99 ${groupDigits(m.p99)}  max ${groupDigits(m.max)}`,
    );
    heading("sessions by remaining TTL");
    rows(
      Object.entries(r.ttl).map(([k, n]) => [TTL_LABELS[k as keyof StatsReport["ttl"]], n] as [string, number]),
      r.sessions,
    );
    heading("largest sessions");
    // Ids cut to a width that leaves room for the count (the whole id is in --json).
    const ids = r.largest.map((l) => clip(sanitizeLine(l.sessionId), ID_MAX));
    const idW = Math.max(...ids.map((id) => Array.from(id).length));
    const numW = Math.max(...r.largest.map((l) => groupDigits(l.count).length));
    r.largest.forEach((l, i) => {
      const pad = " ".repeat(idW - Array.from(ids[i]).length);
      lines.push(`  ${ids[i]}${pad}  ${groupDigits(l.count).padStart(numW)} messages`);
    });
  }
  const other = Object.entries(r.otherKeys).sort(([a], [b]) => (a < b ? -1 : 1));
  if (other.length) {
    heading("other keys (not chat histories)");
    rows(
      other,
      other.reduce((t, [, n]) => t + n, 0),
    );
  }
  await out.lines(lines);
}
