// Values pasted into .env files and shells often carry what the user cannot
// see: a trailing newline, surrounding quotes copied along with the value.
// Doctor looks at the value exactly as given, says what is wrong with it, and
// goes on with the cleaned value so the remaining checks still tell something.

export interface RawValue {
  /** As given. */
  raw: string;
  /** Without surrounding whitespace and quotes. */
  value: string;
  whitespace: boolean;
  quotes: boolean;
}

const QUOTES = `"'\``;

export function cleanValue(raw: string): RawValue {
  let value = raw;
  let whitespace = false;
  let quotes = false;
  for (;;) {
    const trimmed = value.trim();
    if (trimmed !== value) whitespace = true;
    value = trimmed;
    const first = value[0];
    const last = value[value.length - 1];
    if (value.length && (QUOTES.includes(first) || QUOTES.includes(last))) {
      quotes = true;
      value = value.slice(QUOTES.includes(first) ? 1 : 0, QUOTES.includes(last) && value.length > 1 ? -1 : undefined);
      continue;
    }
    return { raw, value, whitespace, quotes };
  }
}

/** "surrounding quotes and whitespace", or undefined when the value is clean. */
export function describeStray(v: RawValue): string | undefined {
  const parts = [
    v.quotes ? "quotes" : "",
    v.whitespace ? (/[\r\n]/.test(v.raw) ? "whitespace (a line break)" : "whitespace") : "",
  ].filter(Boolean);
  return parts.length ? `surrounding ${parts.join(" and ")}` : undefined;
}
