// Display width, truncation and wrapping for a terminal, from kept libraries:
// string-width (grapheme clusters, emoji, East Asian Width), cli-truncate and
// wrap-ansi. They are loaded only when something is drawn on a terminal.
//
// string-width segments every string into graphemes (Intl.Segmenter), which
// costs ~0.2 ms per line on Node 20: seconds for 20,000 rows. Most text needs
// none of that: when no character of a string can join a cluster or be
// invisible (marks, joiners, emoji, controls, Hangul jamo, ...), every code
// point is its own grapheme, and its width is get-east-asian-width's answer,
// the same lookup string-width ends with. Anything else takes string-width's
// full path. test/unit/text-width.test.ts checks the two agree on every BMP
// code point, alone and next to others.

export interface TextWidth {
  width(text: string): number;
  /** At most `columns` wide, ending in `…` when cut. */
  truncate(text: string, columns: number): string;
  /** At most `columns` wide, cut in the middle (`message_…session-1`): ids keep both ends. */
  truncateMiddle(text: string, columns: number): string;
  /**
   * Wrapped to `columns`, breaking words longer than a line. Each line keeps
   * its indentation, and its continuation lines get the same (code stays readable).
   */
  wrap(text: string, columns: number): string;
}

// Code points that may merge with a neighbour into one grapheme, or print
// nothing, or whose width depends on context; astral planes other than the
// CJK ideograph planes 2-3 are left to string-width as a whole.
const COMPLEX =
  /[\p{M}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}\u0e33\u0eb3\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\uff9e\uff9f\u0d4e\u{10000}-\u{1ffff}\u{40000}-\u{10ffff}]/u;
const ASCII = /^[\x20-\x7e]*$/;
// What can join a space into one grapheme: a prepended sign before it, an
// extending mark or joiner after it.
const SPACE_JOINS =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each joiner is meant as a code point of its own here
  /[\p{Cf}\u0d4e\u{11000}-\u{11fff}] | [\p{M}\u0e33\u0eb3\u200c\u200d\uff9e\uff9f\p{Emoji_Modifier}\u{e0020}-\u{e007f}]/u;

let loaded: TextWidth | undefined;

export async function textWidth(): Promise<TextWidth> {
  if (loaded) return loaded;
  const [{ default: stringWidth }, { default: cliTruncate }, { default: wrapAnsi }, { eastAsianWidth }] =
    await Promise.all([
      import("string-width"),
      import("cli-truncate"),
      import("wrap-ansi"),
      import("get-east-asian-width"),
    ]);
  const simple = (t: string) => !t.includes("\x1b") && !COMPLEX.test(t);
  const simpleWidth = (t: string) => {
    let w = 0;
    for (const c of t) w += eastAsianWidth(c.codePointAt(0)!);
    return w;
  };
  const wordWidth = (t: string) => (ASCII.test(t) ? t.length : simple(t) ? simpleWidth(t) : stringWidth(t));
  // A grapheme never spans a space unless a character beside it joins it (a
  // mark after, a prepended sign before): then the whole text is measured as one.
  const words = (t: string): string[] | null => (SPACE_JOINS.test(t) ? null : t.split(" "));
  const width = (t: string): number => {
    if (ASCII.test(t)) return t.length;
    if (simple(t)) return simpleWidth(t);
    const ws = words(t);
    if (!ws) return stringWidth(t);
    return ws.reduce((a, w) => a + wordWidth(w), ws.length - 1);
  };
  /** `t` cut to at most `n` columns including the `…` (t is wider than n). */
  const cutWord = (t: string, n: number): string => {
    if (n < 1) return "";
    if (!simple(t)) {
      // cli-truncate and string-width can disagree on rare clusters (lone
      // jamo): cut further until string-width says it fits.
      let r = cliTruncate(t, n, { position: "end" });
      for (let k = n - 1; k >= 1 && stringWidth(r) > n; k--) r = cliTruncate(t, k, { position: "end" });
      return stringWidth(r) > n ? "" : r;
    }
    let w = 0;
    let end = 0;
    for (const c of t) {
      const cw = eastAsianWidth(c.codePointAt(0)!);
      if (w + cw > n - 1) break;
      w += cw;
      end += c.length;
    }
    return `${t.slice(0, end)}…`;
  };
  const truncate = (t: string, n: number): string => {
    if (width(t) <= n) return t;
    if (n < 1) return "";
    const ws = words(t);
    if (!ws || simple(t)) return cutWord(t, n);
    // Whole words while they fit, then the word that does not, cut.
    let out = "";
    let used = 0;
    for (let i = 0; i < ws.length; i++) {
      const sep = i ? 1 : 0;
      const w = wordWidth(ws[i]);
      if (used + sep + w <= n - 1) {
        out += (sep ? " " : "") + ws[i];
        used += sep + w;
        continue;
      }
      const room = n - used - sep;
      const piece = room < 1 ? "" : w > room ? cutWord(ws[i], room) : room > 1 ? cutWord(ws[i], room - 1) : "";
      return piece ? out + (sep ? " " : "") + piece : `${out}…`;
    }
    return out;
  };
  const wrap = (t: string, n: number): string =>
    t
      .split("\n")
      .map((line) => {
        let indent = /^ */.exec(line)![0];
        if (indent.length > n / 2) indent = "";
        const body = line.slice(indent.length);
        if (indent.length + width(body) <= n) return line.trimEnd();
        return wrapAnsi(body, n - indent.length, { hard: true, trim: true, wordWrap: true })
          .split("\n")
          .map((piece) => indent + piece)
          .join("\n");
      })
      .join("\n");
  const truncateMiddle = (t: string, n: number): string => {
    if (width(t) <= n) return t;
    if (n < 1) return "";
    let r = cliTruncate(t, n, { position: "middle" });
    for (let k = n - 1; k >= 1 && stringWidth(r) > n; k--) r = cliTruncate(t, k, { position: "middle" });
    return stringWidth(r) > n ? "" : r;
  };
  loaded = { width, truncate, truncateMiddle, wrap };
  return loaded;
}
