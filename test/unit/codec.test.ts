// The message codec on every shape real writers store, and on hostile input.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  decodeElement,
  decodeHistory,
  encodeMessage,
  parseElement,
  validateStoredMessage,
} from "../../src/history/codec.js";
import { storedMessages, PYTHON_ELEMENTS, MALFORMED } from "../harness/fixtures.js";
import { exportElement, elementBytes } from "../../src/transfer/format.js";
import { messageJson } from "../../src/render/history.js";
import { safeJson, sanitizeLine, sanitizeMultiline, tsvField } from "../../src/text/sanitize.js";

const b = (s: string) => Buffer.from(s, "utf8");

describe("decoding stored messages", () => {
  it("reads every fixture element as a message", () => {
    for (const { element } of storedMessages()) {
      const p = parseElement(b(element));
      expect(p.ok).toBe(true);
    }
    expect(PYTHON_ELEMENTS.map((e) => decodeElement(b(e), 1).role)).toEqual(["user", "assistant", "moderator"]);
  });

  it("names the reason for each malformed element", () => {
    for (const m of MALFORMED) {
      const d = decodeElement(b(m.element), 1);
      expect(d).toMatchObject({ role: "unrecognized", problem: m.problem, raw: m.element });
    }
    // Read as the readers read it: bytes that are not UTF-8 become U+FFFD, and that is not JSON.
    expect(decodeElement(Buffer.from([0xff, 0xfe]), 1).problem).toBe("not JSON");
  });

  it("shows what LangChain JS loads, with a note where it differs from what is stored", () => {
    const bad = Buffer.concat([
      Buffer.from('{"type":"human","data":{"content":"a'),
      Buffer.from([0xff]),
      Buffer.from('"}}'),
    ]);
    expect(decodeElement(bad, 1)).toMatchObject({
      role: "user",
      content: "a\uFFFD",
      notes: ["not valid UTF-8: LangChain JS and Flowise read the bad bytes as U+FFFD"],
    });
    expect(decodeElement(b('{"type":"ai","data":{"content":null}}'), 1)).toMatchObject({
      role: "assistant",
      content: "",
      notes: ["data.content is null: LangChain JS and Flowise load it as empty content ([])"],
    });
    // A type that is there but not a string breaks the readers' mapping: not a missing type.
    expect(decodeElement(b('{"type":null,"data":{"content":"x"}}'), 1).problem).toBe("unknown type");
    expect(decodeElement(b('{"type":"human","data":"x"}'), 1).problem).toBe("missing data.content");
  });

  it("reverses LPUSH order and numbers from the given index", () => {
    const els = ["c", "b", "a"].map((c) => b(JSON.stringify({ type: "human", data: { content: c } })));
    expect(decodeHistory(els, 5).map((m) => [m.index, m.content])).toEqual([
      [5, "a"],
      [6, "b"],
      [7, "c"],
    ]);
  });

  it("writes what LangChain JS writes", () => {
    const fixtures = storedMessages().map((f) => f.element);
    expect(encodeMessage({ type: "human", content: "Hi! Où est la gare? 🚉" })).toBe(fixtures[1]);
    expect(encodeMessage({ type: "ai", content: "Tout droit — 200 m." })).toBe(fixtures[2]);
    expect(encodeMessage({ type: "system", content: "You are a helpful travel assistant." })).toBe(fixtures[0]);
    expect(
      encodeMessage({ type: "tool", content: "18°C, light rain", toolCallId: "call_1", name: "get_weather" }),
    ).toBe(fixtures[5]);
  });

  it("validates a user-given StoredMessage", () => {
    expect(validateStoredMessage('{"type":"human","data":{"content":"x"}}').ok).toBe(true);
    expect(validateStoredMessage('{"type":"generic","data":{"content":"x"}}').ok).toBe(false);
    expect(validateStoredMessage('{"type":"tool","data":{"content":"x"}}').ok).toBe(false);
    expect(validateStoredMessage('{"type":"human","data":{"content":5}}').ok).toBe(false);
  });
});

// No ESC, no other C0 control but tab/newline, no C1 control: nothing a terminal acts on.
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const hostileElement = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ unit: "binary", maxLength: 200 }).map(b),
  fc.jsonValue().map((v) => b(JSON.stringify(v))),
  fc
    .record({ type: fc.constantFrom("human", "ai", "system", "tool", "generic", "x", 5, null), data: fc.anything() })
    .map((v) => b(JSON.stringify(v))),
  fc
    .string({ unit: "binary", maxLength: 80 })
    .map((s) => b(JSON.stringify({ type: "human", data: { content: `\u001b]0;owned\u0007${s}\u001b[2J\u009b31m` } }))),
);

describe("hostile elements", () => {
  it("any element decodes without throwing and renders terminal-safe", () => {
    fc.assert(
      fc.property(hostileElement, (bytes) => {
        const m = decodeElement(bytes, 1);
        for (const text of [
          sanitizeLine(m.content),
          sanitizeMultiline(m.content),
          tsvField(m.content),
          sanitizeLine(m.role),
        ]) {
          expect(text).not.toMatch(TERMINAL_UNSAFE);
        }
        const json = safeJson(messageJson(m));
        expect(json).not.toMatch(TERMINAL_UNSAFE);
        const back = JSON.parse(json);
        expect(back.rawBase64 ? Buffer.from(back.rawBase64, "base64") : b(back.raw)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("any element survives the export format byte for byte", () => {
    fc.assert(
      fc.property(hostileElement, (bytes) => {
        const line = JSON.parse(safeJson({ elements: [exportElement(bytes)] }));
        expect(elementBytes(line.elements[0])).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("a 10 MB string and JSON nested 10,000 deep do not crash", () => {
    const big = b(JSON.stringify({ type: "human", data: { content: "x".repeat(10 * 1024 * 1024) } }));
    expect(decodeElement(big, 1).content.length).toBe(10 * 1024 * 1024);
    const deep = b("[".repeat(10_000) + "]".repeat(10_000));
    expect(decodeElement(deep, 1).role).toBe("unrecognized");
    const deepObj = b(`{"type":"human","data":{"content":${"[".repeat(10_000)}${"]".repeat(10_000)}}}`);
    const m = decodeElement(deepObj, 1);
    expect(typeof m.content).toBe("string");
  });
});
