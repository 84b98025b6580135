import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarizeExtractive } from "../../src/summarize/extractive.js";
import { countWords } from "../../src/summarize/words.js";
import type { ChatLine } from "../../src/summarize/types.js";

const vocabulary = [
  "Dr.",
  "e.g.",
  "3.5",
  "flight",
  "refund",
  "booked",
  "will",
  "?",
  "!",
  "...",
  "hi",
  "thanks",
  "ok",
  "Paris",
  "€120",
  "https://example.com/a?b=1.",
  "我们明天去北京。",
  "好的！",
  "réservé",
  "🎉",
  "👋🏽",
  "\n",
  "```",
  "- ",
  "1.",
  "St.",
  "U.S.",
];

// Chat-like text built from tricky tokens, and arbitrary unicode text.
const content = fc.oneof(
  fc.array(fc.constantFrom(...vocabulary), { maxLength: 40 }).map((words) => words.join(" ")),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 120 }),
  fc.lorem({ maxCount: 12, mode: "sentences" }),
);
const line: fc.Arbitrary<ChatLine> = fc.record({
  role: fc.oneof(fc.constantFrom("user", "assistant", "system", "tool", "human", "ai"), fc.string({ maxLength: 8 })),
  content,
});

describe("extractive engine: properties", () => {
  it("never exceeds maxWords and never throws, for any conversation and any limit from 5 to 300", () => {
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.option(content, { nil: undefined }),
        fc.integer({ min: 5, max: 300 }),
        (lines, previousSummary, maxWords) => {
          const summary = summarizeExtractive({ lines, previousSummary }, { maxWords });
          expect(countWords(summary)).toBeLessThanOrEqual(maxWords);
          expect(summary.split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(maxWords);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("is a pure function of its input", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.integer({ min: 5, max: 300 }), (lines, maxWords) => {
        const copy = lines.map((l) => ({ ...l }));
        expect(summarizeExtractive({ lines: copy }, { maxWords })).toBe(summarizeExtractive({ lines }, { maxWords }));
      }),
      { numRuns: 150 },
    );
  });
});
