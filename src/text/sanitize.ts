// Stored content is untrusted: an element may carry ANSI escapes or control
// characters that would move the cursor, recolour or retitle the user's
// terminal. Everything shown as text passes through here first.
import { showBytes } from "./bytes.js";

// C0 controls except tab/newline, DEL, C1 controls, every bidi control
// (U+061C, U+200E/F, U+202A-E, U+2066-9: they can reorder what a line appears
// to say), and lone surrogates (bytes of a key that are not UTF-8, see
// text/bytes.ts, or a broken escape in stored JSON).
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Bidi_Control}\ud800-\udfff]/gu;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code); // ␛ for ESC, ␇ for BEL, ...
  if (code === 0x7f) return "\u2421";
  if (code >= 0xdc80 && code <= 0xdcff) return showBytes(c); // \xff
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

/** At most `max` characters (code points), with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text; // no more code points than UTF-16 units
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}

/** One line, at most `max` characters, with an ellipsis when cut. */
export function snippet(text: string, max = 60): string {
  return clip(sanitizeLine(text), max);
}

const TSV_ESCAPED = /[\\\t\r\n]/;

/** A field of tab-separated output: escaped so each record stays one line. */
export function tsvField(text: string): string {
  if (!TSV_ESCAPED.test(text)) return sanitizeMultiline(text);
  return sanitizeMultiline(
    text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\r/g, "\\r").replace(/\n/g, "\\n"),
  );
}

/**
 * JSON text that is also terminal-safe: JSON.stringify already escapes C0
 * controls and lone surrogates, but leaves DEL, C1 controls, line separators
 * and bidi controls raw.
 */
export function safeJson(value: unknown, indent?: number): string {
  return escapeJsonText(JSON.stringify(value, null, indent));
}

/** What safeJson does to JSON text already made (NDJSON lines, many at once). */
export function escapeJsonText(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u2028\u2029\p{Bidi_Control}]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Text from outside (arguments, error messages) echoed on one stderr line. */
export function sanitizeEcho(text: string): string {
  return sanitizeMultiline(text).replace(/[\n\t]/g, (c) => (c === "\n" ? "\\n" : "\\t"));
}

/** An id as it must be typed in a shell command of a hint. */
export function shellArg(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
