import { describe, expect, it } from "vitest";
import { countWords, truncateWords } from "../../src/summarize/words.js";

describe("countWords", () => {
  it("counts whitespace-separated tokens", () => {
    expect(countWords("")).toBe(0);
    expect(countWords("  one two\tthree\nfour  ")).toBe(4);
    expect(countWords("Café crème, s'il vous plaît 🎉")).toBe(6);
  });

  it("counts two CJK characters as one word", () => {
    expect(countWords("我们明天去北京")).toBe(4);
    expect(countWords("我们明天去北京。")).toBe(4);
    expect(countWords("こんにちは")).toBe(3);
    expect(countWords("hello 世界")).toBe(2);
    expect(countWords("version2の")).toBe(2);
  });
});

describe("truncateWords", () => {
  it("keeps whole words and marks the cut", () => {
    expect(truncateWords("one two three four", 2)).toBe("one two…");
    expect(truncateWords("one two", 2)).toBe("one two");
    expect(truncateWords("one two", 0)).toBe("");
  });

  it("cuts CJK runs between characters without exceeding the budget", () => {
    const cut = truncateWords("我们明天去北京。", 2);
    expect(cut).toBe("我们明天");
    expect(countWords(cut)).toBeLessThanOrEqual(2);
  });
});
