// Stored content is untrusted: an element may carry ANSI escapes or control
// characters that would move the cursor, recolour or retitle the user's
// terminal. Everything shown as text passes through here first.

// C0 controls except tab/newline, DEL, C1 controls, and the bidi overrides that
// can reorder what a line appears to say.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code); // ␛ for ESC, ␇ for BEL, ...
  if (code === 0x7f) return "\u2421";
  return `\\u{${code.toString(16)}}`;
}

/** Safe for a terminal, newlines and tabs kept (for wrapped table cells). */
export function sanitizeMultiline(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Safe and on one line: whitespace runs collapse to one space. */
export function sanitizeLine(text: string): string {
  return sanitizeMultiline(text).replace(/\s+/g, " ").trim();
}

/** One line, at most `max` characters, with an ellipsis when cut. */
export function snippet(text: string, max = 60): string {
  const line = sanitizeLine(text);
  const chars = Array.from(line);
  return chars.length > max ? chars.slice(0, max - 1).join("") + "…" : line;
}

/** A field of tab-separated output: escaped so each record stays one line. */
export function tsvField(text: string): string {
  return sanitizeMultiline(text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\r/g, "\\r").replace(/\n/g, "\\n"));
}

/**
 * JSON text that is also terminal-safe: JSON.stringify already escapes C0, but
 * leaves C1 controls and line separators raw.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
