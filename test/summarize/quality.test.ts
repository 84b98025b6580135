// Summary quality on realistic conversations, each with a reference summary
// written by hand: the engine must beat simply keeping the first sentences.
import { describe, expect, it } from "vitest";
import { summarizeExtractive } from "../../src/summarize/extractive.js";
import { countWords } from "../../src/summarize/words.js";
import { leadBaseline, loadConversations } from "../harness/conversations.js";
import { rougeN } from "../harness/rouge.js";

const MAX_WORDS = 120;
const conversations = loadConversations();

function average(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("extractive engine: quality against hand-written references", () => {
  it("has 4 or more realistic conversations of 12 to 30 messages with a 60-100 word reference", () => {
    expect(conversations.length).toBeGreaterThanOrEqual(4);
    for (const c of conversations) {
      expect(c.messages.length, c.file).toBeGreaterThanOrEqual(12);
      expect(c.messages.length, c.file).toBeLessThanOrEqual(30);
      expect(countWords(c.reference), c.file).toBeGreaterThanOrEqual(60);
      expect(countWords(c.reference), c.file).toBeLessThanOrEqual(100);
    }
  });

  it(`beats the lead-N baseline on average ROUGE-1 and ROUGE-2 F1 at ${MAX_WORDS} words`, () => {
    const rows = conversations.map((c) => {
      const engine = summarizeExtractive({ lines: c.messages }, { maxWords: MAX_WORDS });
      const lead = leadBaseline(c.messages, MAX_WORDS);
      expect(countWords(lead)).toBeLessThanOrEqual(MAX_WORDS);
      return {
        file: c.file,
        engine1: rougeN(engine, c.reference, 1).f1,
        engine2: rougeN(engine, c.reference, 2).f1,
        lead1: rougeN(lead, c.reference, 1).f1,
        lead2: rougeN(lead, c.reference, 2).f1,
      };
    });
    const engine1 = average(rows.map((r) => r.engine1));
    const engine2 = average(rows.map((r) => r.engine2));
    const lead1 = average(rows.map((r) => r.lead1));
    const lead2 = average(rows.map((r) => r.lead2));
    console.table([...rows, { file: "average", engine1, engine2, lead1, lead2 }]);
    expect(engine1).toBeGreaterThan(lead1);
    expect(engine2).toBeGreaterThan(lead2);
  });
});
