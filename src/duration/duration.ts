// Durations as users type them (3600, 90s, 30m, 12h, 7d, 1d12h) and as we show
// them (6d 23h). Redis takes EXPIRE seconds as a signed 64-bit integer, but the
// absolute expiry (now + ttl, in ms) must fit too; we cap well inside it.
import { UsageError } from "../errors/errors.js";

/** One grammar for every duration the CLI takes: TTLs, --timeout, --interval, --for, --llm-timeout. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+|(\d+(ms|s|m|h|d|w))+)$/;
const PART = /(\d+)(ms|s|m|h|d|w)/g;
const SYNTAX_HINT = "use seconds or numbers with ms, s, m, h, d or w, e.g. 500ms, 90s, 30m, 12h, 7d, 1d12h";
/** 100 years: far beyond any chat TTL, far inside Redis's limit. */
export const MAX_TTL_SECONDS = 100 * 365 * 86400;

/** Written like a duration (whatever its value): `expire ID 1h --persist` is a mistake, not an id. */
export function looksLikeDuration(input: string): boolean {
  return DURATION.test(String(input).trim().toLowerCase());
}

/** Milliseconds, as typed: a bare number is seconds ("90" = 90s); parts add up ("1m30s", "1s500ms"). */
export function parseDurationMs(input: string, what = "duration"): number {
  const text = String(input).trim().toLowerCase();
  if (!DURATION.test(text)) throw new UsageError(`invalid ${what} '${input}'`, SYNTAX_HINT);
  let ms = 0;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else for (const [, n, unit] of text.matchAll(PART)) ms += Number(n) * UNIT_MS[unit];
  if (!Number.isSafeInteger(ms) || ms <= 0)
    throw new UsageError(`invalid ${what} '${input}': must be greater than zero`);
  return ms;
}

/** Whole seconds (a TTL: Redis counts them); the same grammar as parseDurationMs. */
export function parseDuration(input: string, what = "duration"): number {
  const ms = parseDurationMs(input, what);
  if (ms % 1000 !== 0) throw new UsageError(`invalid ${what} '${input}': must be whole seconds`, "e.g. 90s, 30m, 12h");
  const seconds = ms / 1000;
  if (seconds > MAX_TTL_SECONDS) {
    throw new UsageError(
      `invalid ${what} '${input}': longer than 100 years`,
      "to keep a session forever, use --persist",
    );
  }
  return seconds;
}

/** 0 → "0s", 90 → "1m 30s", 604799 → "6d 23h": the two largest units. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "0s";
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** Redis TTL replies: -1 = no expiry, -2 = no key. */
export function ttlFromReply(ttl: number): number | null {
  return ttl >= 0 ? ttl : null;
}

export function formatTtl(ttlSeconds: number | null): string {
  return ttlSeconds === null ? "never" : formatDuration(ttlSeconds);
}
