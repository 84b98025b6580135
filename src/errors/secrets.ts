// Every secret the process learns (REST tokens, redis:// passwords, LLM keys) is
// registered here; everything written to stdout/stderr by the error handler and
// the debug log passes through redact(), so a token can never be printed.

const secrets = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  // Very short values would redact ordinary words; real tokens are long.
  if (value && value.length >= 6) {
    secrets.add(value);
    try {
      const enc = encodeURIComponent(value);
      if (enc !== value) secrets.add(enc);
    } catch {
      /* lone surrogate: nothing to add */
    }
  }
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(maskToken(s));
  }
  // Also hide credentials embedded in URLs we never registered (redis://user:pw@host).
  // A password may hold any character, `/`, `:` and `@` included when it was not
  // percent-encoded (base64 passwords do): everything up to the last `@` on the line goes.
  out = out.replace(/(rediss?:\/\/[^:@/\s[]*:)([^\n]*)@/gi, "$1••••@");
  return out;
}

/** `AXabcdef...3kQ` → `AX••••••3kQ`: enough to tell tokens apart, never enough to use. */
export function maskToken(token: string): string {
  if (!token) return "";
  if (token.length <= 8) return "••••••";
  return `${token.slice(0, 2)}••••••${token.slice(-3)}`;
}
