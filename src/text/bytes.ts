// Redis keys are bytes. Almost all are UTF-8 text, but nothing stops an app
// from writing one that is not, and such a key must still be listed, exported
// and restored exactly. Inside the CLI a key is a string: valid UTF-8 decodes
// as usual, and each byte that is not part of a valid sequence becomes a lone
// surrogate U+DC80..U+DCFF (the "surrogateescape" scheme of Python's os
// module). Decoded UTF-8 never contains a lone surrogate, so the mapping is
// one to one, and the transports turn such strings back into the same bytes.
import { isUtf8 } from "node:buffer";

const ESCAPED_BYTE = /[\udc80-\udcff]/u;
const ESCAPED_BYTES = /[\udc80-\udcff]/gu;

/** Length of the valid UTF-8 sequence starting at b[i], or 0 when there is none. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c === 0xe0) [n, lo] = [3, 0xa0];
  else if (c === 0xed)
    [n, hi] = [3, 0x9f]; // no UTF-16 surrogates
  else if (c >= 0xe1 && c <= 0xef) n = 3;
  else if (c === 0xf0) [n, lo] = [4, 0x90];
  else if (c >= 0xf1 && c <= 0xf3) n = 4;
  else if (c === 0xf4) [n, hi] = [4, 0x8f];
  else return 0;
  if (i + n > b.length || b[i + 1] < lo || b[i + 1] > hi) return 0;
  for (let k = 2; k < n; k++) if ((b[i + k] & 0xc0) !== 0x80) return 0;
  return n;
}

/** Bytes → string, invalid bytes kept as U+DC80+byte. */
export function textFromBytes(b: Buffer): string {
  if (isUtf8(b)) return b.toString("utf8");
  let out = "";
  let i = 0;
  while (i < b.length) {
    const n = sequenceLength(b, i);
    if (n) {
      out += b.toString("utf8", i, i + n);
      i += n;
    } else {
      out += String.fromCharCode(0xdc00 + b[i]);
      i++;
    }
  }
  return out;
}

/** Whether the string carries bytes that are not UTF-8 (see textFromBytes). */
export function hasEscapedBytes(s: string): boolean {
  return ESCAPED_BYTE.test(s);
}

/** String → the exact bytes it stands for (inverse of textFromBytes). */
export function bytesFromText(s: string): Buffer {
  if (!hasEscapedBytes(s)) return Buffer.from(s, "utf8");
  const parts: Buffer[] = [];
  let at = 0;
  for (const m of s.matchAll(ESCAPED_BYTES)) {
    parts.push(Buffer.from(s.slice(at, m.index), "utf8"), Buffer.of(m[0].charCodeAt(0) - 0xdc00));
    at = m.index + m[0].length;
  }
  parts.push(Buffer.from(s.slice(at), "utf8"));
  return Buffer.concat(parts);
}

/**
 * The inverse of showBytes, for ids typed back: `bin\xffkey` as `sessions list`
 * printed it means the key with the byte 0xff. Only \x80-\xff are read (what
 * showBytes writes); the result is canonical (valid UTF-8 runs decoded).
 */
export function textFromShown(s: string): string {
  if (!/\\x[89a-f][0-9a-f]/i.test(s)) return s;
  const raw = s.replace(/\\x([89a-f][0-9a-f])/gi, (_, h: string) =>
    String.fromCharCode(0xdc00 + Number.parseInt(h, 16)),
  );
  return textFromBytes(bytesFromText(raw));
}

/** Readable text for people: each byte that is not UTF-8 as `\xNN`. */
export function showBytes(s: string): string {
  return s.replace(ESCAPED_BYTES, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16).padStart(2, "0")}`);
}
