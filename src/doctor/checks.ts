// What `doctor` finds: one-line checks, each with a stable id (for scripts and
// CI), the section it belongs to, a status, the cause, and what to do about it.
// A few ids repeat by design (key.near-miss: one line per similar key found).

export type CheckStatus = "pass" | "warn" | "fail" | "info";

export const SECTIONS = ["connection", "key", "health", "content", "cost", "context"] as const;
export type Section = (typeof SECTIONS)[number];

export interface Check {
  /** `section.name`, e.g. `connection.ping`. */
  id: string;
  section: Section;
  status: CheckStatus;
  /** The finding, one line. */
  message: string;
  /** For warnings and failures: the fix, one line. */
  hint?: string;
  /** Content checks about particular elements: which, and what each reader does with them (--json). */
  elements?: ElementReport[];
}

export interface ElementReport {
  /** 1-based, oldest first. */
  index: number;
  problem: string | null;
  /** Reader id → "loads" | "dropped" | "breaks". */
  readers: Record<string, string>;
}

/** Collects checks in the order they were made; each section adds to it. */
export class Findings {
  readonly checks: Check[] = [];

  add(section: Section, name: string, status: CheckStatus, message: string, hint?: string): Check {
    const check: Check = { id: `${section}.${name}`, section, status, message, ...(hint ? { hint } : {}) };
    this.checks.push(check);
    return check;
  }

  get failed(): boolean {
    return this.checks.some((c) => c.status === "fail");
  }
}

export { plural } from "../text/plural.js";

/** "2, 5 and 9" — at most `max` items, then "and N more". */
export function listIndices(indices: readonly (number | string)[], max = 10): string {
  const shown = indices.slice(0, max).map(String);
  const rest = indices.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest} more`;
  if (shown.length <= 1) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** A key or id as shown in a finding: quoted, and JSON-escaped when whitespace or controls would hide in it. */
export function quoteKey(key: string): string {
  return /[\s\p{C}'"]/u.test(key) ? JSON.stringify(key) : `'${key}'`;
}

export { shellArg } from "../text/sanitize.js";
