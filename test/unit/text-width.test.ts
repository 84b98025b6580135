// The terminal width functions must agree with string-width, whose shortcuts
// (per-code-point widths, words measured apart) they take for speed.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import stringWidth from "string-width";
import { textWidth } from "../../src/text/text-width.js";

const tw = await textWidth();

function bmp(): string[] {
  const out: string[] = [];
  for (let cp = 0x20; cp <= 0xffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    out.push(String.fromCodePoint(cp));
  }
  return out;
}

// A pool that exercises every rule: wide, emoji (with modifiers, joiners,
// flags, keycaps), combining and spacing marks, prepended signs, jamo, format
// characters, halfwidth forms.
const POOL = [
  "a",
  "Z",
  " ",
  " ",
  "é",
  "ß",
  "中",
  "東",
  "ｶ",
  "ﾞ",
  "ー",
  "☕",
  "🐕",
  "👍",
  "🏽",
  "\u200d",
  "\ufe0f",
  "\u20e3",
  "1",
  "🇵",
  "🇹",
  "\u0301",
  "\u0903",
  "\u0600",
  "\u0d4e",
  "ᄀ",
  "ᅡ",
  "ᆨ",
  "한",
  "\u200b",
  "\u00ad",
  "…",
  "→",
  "␛",
  "𠀀",
  "\u{11f02}",
];

describe("display width", () => {
  it("agrees with string-width on every BMP code point, alone, after a letter and before a space", () => {
    const bad: string[] = [];
    for (const c of bmp()) {
      // A mark joins what precedes it; a prepended sign joins what follows.
      for (const t of [c, `a${c}`, `${c} `]) {
        if (tw.width(t) !== stringWidth(t)) bad.push(`U+${c.codePointAt(0)!.toString(16)} in ${JSON.stringify(t)}`);
      }
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it("agrees with string-width on mixed text, and truncation fits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...POOL), { maxLength: 40 }),
        fc.integer({ min: 1, max: 30 }),
        (chars, n) => {
          const t = chars.join("");
          expect(tw.width(t)).toBe(stringWidth(t));
          const cut = tw.truncate(t, n);
          expect(stringWidth(cut)).toBeLessThanOrEqual(n);
          if (stringWidth(t) <= n) expect(cut).toBe(t);
          else expect(cut.endsWith("…")).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("wraps to the width, keeping each line's indentation and every character", () => {
    const code = "function f() {\n    return someVeryLongFunctionName(argumentNumberOne, argumentNumberTwo);\n}";
    const lines = tw.wrap(code, 40).split("\n");
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(40);
    expect(lines[1].startsWith("    return")).toBe(true);
    expect(lines[2].startsWith("    ")).toBe(true);
    expect(lines.join("").replace(/\s+/g, "")).toBe(code.replace(/\s+/g, ""));
    const cjk = "東京の天気はどうですか？".repeat(10);
    const wrapped = tw.wrap(cjk, 30).split("\n");
    for (const l of wrapped) expect(stringWidth(l)).toBeLessThanOrEqual(30);
    expect(wrapped.join("")).toBe(cjk);
  });
});

describe("table printer", async () => {
  const { tableLines } = await import("../../src/render/table.js");
  const columns = [
    { header: "session" },
    { header: "messages", align: "right" as const },
    { header: "ttl" },
    { header: "last message", flex: true },
  ];
  const rows = [
    [
      "user-42",
      "5",
      "never",
      [
        { text: "assistant", style: (t: string) => `\u001b[32m${t}\u001b[39m` },
        { text: ": 東京の天気はどうですか？ ☕ ".repeat(10) },
      ],
    ],
    ["4f9d2c1e-8b7a-4e3f-9a21-6c5d0e7b3a18-and-a-very-long-suffix", "1234", "6d 23h", "short"],
  ];
  it("fits every line in the width, from roomy to very narrow, one line per row", async () => {
    for (const total of [200, 120, 80, 60, 40, 30]) {
      const lines = await tableLines({ columns, rows }, total);
      expect(lines).toHaveLength(3);
      for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(total);
    }
  });
  it("keeps natural widths when they fit and cuts the flexible column first", async () => {
    const wide = await tableLines({ columns, rows: [["a", "1", "never", "hello"]] }, 80);
    expect(wide).toEqual(["SESSION  MESSAGES  TTL    LAST MESSAGE", "a               1  never  hello"]);
    const cut = await tableLines({ columns, rows }, 120);
    expect(cut[1]).toContain("user-42");
    expect(cut[1].endsWith("…")).toBe(true);
    expect(cut[2]).toContain("4f9d2c1e-8b7a-4e3f-9a21-6c5d0e7b3a18-and-a-very-long-suffix");
  });
  it("on a narrow terminal keeps ids whole: the last message goes first; ids are cut last, in the middle", async () => {
    const idColumns = [{ ...columns[0], keep: true }, ...columns.slice(1)];
    const ids = ["message_store:py-session-1", "message_store:py-session-2", "message_store:py-session-3"];
    const narrowRows = ids.map((id) => [id, "12", "1h 59m", "a long newest message that will not fit"]);
    const at40 = await tableLines({ columns: idColumns, rows: narrowRows }, 40);
    for (const [i, id] of ids.entries()) expect(at40[i + 1].startsWith(`${id}  `)).toBe(true);
    for (const l of at40) expect(stringWidth(l)).toBeLessThanOrEqual(40);
    const at30 = await tableLines({ columns: idColumns, rows: narrowRows }, 30);
    const cut = at30.slice(1).map((l) => l.split("  ")[0]);
    expect(new Set(cut).size).toBe(3);
    for (const [i, c] of cut.entries()) {
      expect(c).toContain("…");
      expect(c.startsWith("mess")).toBe(true);
      expect(c.endsWith(`-${i + 1}`)).toBe(true);
    }
    for (const l of at30) expect(stringWidth(l)).toBeLessThanOrEqual(30);
    expect(at30.join("\n")).not.toContain("LAST MESSAGE");
  });
});
