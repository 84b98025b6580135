// The search query's two halves must agree: whenever the decoded content of a
// stored element matches (the client's word), every literal piece sent to the
// server script is in the element's bytes as stored (lower-cased as Lua's
// string.lower does, ASCII only), however the writer escaped its JSON.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileQuery } from "../../src/search/query.js";
import { decodeElement } from "../../src/history/codec.js";
import { snippetAround } from "../../src/render/search.js";

/** Lua's string.lower: bytes A-Z only. */
const luaLower = (b: Buffer) => Buffer.from(b.map((c) => (c >= 65 && c <= 90 ? c + 32 : c)));

/** The ways writers store one content: LangChain JS, Python's json.dumps (ASCII escapes, spaced separators), content parts, escaped slashes. */
function stored(content: string): Buffer[] {
  const js = JSON.stringify({ type: "human", data: { content, additional_kwargs: {} } });
  const python = JSON.stringify({ type: "human", data: { content } }, null, 1)
    .replace(/\n\s*/g, " ")
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const parts = JSON.stringify({ type: "ai", data: { content: [{ type: "text", text: content }] } });
  return [js, python, parts, js.replace(/\//g, "\\/")].map((t) => Buffer.from(t, "utf8"));
}

describe("search query", () => {
  it("every piece the server looks for is in each element whose content matches", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        fc.boolean(),
        (content, a, b, swap, caseSensitive) => {
          const chars = Array.from(content);
          const from = a % chars.length;
          const to = from + 1 + (b % (chars.length - from));
          let text = chars.slice(from, to).join("");
          if (swap && !caseSensitive)
            text = text.replace(/[a-zA-Z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
          const q = compileQuery({ text, caseSensitive });
          for (const el of stored(content)) {
            const m = decodeElement(el, 1);
            expect(q.find(m.content)).not.toBeNull();
            const hay = q.fold ? luaLower(el) : el;
            for (const p of q.pieces) expect(hay.includes(Buffer.from(p))).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("pieces: the runs of characters JSON keeps as they are, lower-cased unless case-sensitive", () => {
    expect(compileQuery({ text: "Order #1234, please" }).pieces).toEqual(["order", "#1234", "please"]);
    expect(compileQuery({ text: "Order 1234", caseSensitive: true }).pieces).toEqual(["Order", "1234"]);
    expect(compileQuery({ text: 'say "café"' }).pieces).toEqual(["say", "caf"]);
    expect(compileQuery({ text: "日本" }).pieces).toEqual([]);
    expect(compileQuery({ text: "a.b", regex: true }).pieces).toEqual([]);
  });

  it("--regex in JavaScript syntax; a bad one is a usage error", () => {
    expect(compileQuery({ text: "ord(er)?\\s+\\d{4}", regex: true }).find("my ORDER  1234")).toEqual({
      start: 3,
      end: 14,
    });
    expect(() => compileQuery({ text: "(", regex: true })).toThrow(/invalid --regex/);
    expect(() => compileQuery({ text: "" })).toThrow(/empty/);
  });
});

describe("search snippets", () => {
  const q = compileQuery({ text: "order 1234" });
  it("shows the match with context, cut with ellipses to the width", () => {
    const line = `${"x".repeat(100)} where is my Order 1234 now ${"y".repeat(100)}`;
    const s = snippetAround(line, q, 40);
    expect(s.match).toBe("Order 1234");
    expect(Array.from(s.before + s.match + s.after)).toHaveLength(40);
    expect(s.before.startsWith("…")).toBe(true);
    expect(s.after.endsWith("…")).toBe(true);
  });
  it("a short line whole", () => {
    expect(snippetAround("order 1234 ok", q, 40)).toEqual({ before: "", match: "order 1234", after: " ok" });
  });
});
