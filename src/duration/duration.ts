// Durations as users type them (3600, 90s, 30m, 12h, 7d, 1d12h) and as we show
// them (6d 23h). Redis takes EXPIRE seconds as a signed 64-bit integer, but the
// absolute expiry (now + ttl, in ms) must fit too; we cap well inside it.
import { UsageError } from "../errors/errors.js";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
/** 100 years: far beyond any chat TTL, far inside Redis's limit. */
export const MAX_TTL_SECONDS = 100 * 365 * 86400;

/** Written like a duration (whatever its value): `expire ID 1h --persist` is a mistake, not an id. */
export function looksLikeDuration(input: string): boolean {
  return /^(\d+|(\d+[smhdw])+)$/.test(String(input).trim().toLowerCase());
}

export function parseDuration(input: string, what = "duration"): number {
  const text = String(input).trim().toLowerCase();
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else if (/^(\d+[smhdw])+$/.test(text)) {
    seconds = 0;
    for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/g)) seconds += Number(n) * UNIT_SECONDS[unit];
  } else {
    throw new UsageError(
      `invalid ${what} '${input}'`,
      "use seconds or a number with s, m, h, d or w, e.g. 90s, 30m, 12h, 7d",
    );
  }
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new UsageError(`invalid ${what} '${input}': must be greater than zero`);
  }
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
