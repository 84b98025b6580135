import { describe, expect, it } from "vitest";
import { rougeN } from "../harness/rouge.js";

describe("rougeN", () => {
  it("is 1 for identical texts and 0 for disjoint ones", () => {
    expect(rougeN("the cat sat", "The cat sat.", 1).f1).toBe(1);
    expect(rougeN("the cat sat", "the cat sat", 2).f1).toBe(1);
    expect(rougeN("dogs bark", "the cat sat", 1).f1).toBe(0);
    expect(rougeN("", "the cat sat", 1).f1).toBe(0);
  });

  it("matches hand-computed unigram and bigram scores", () => {
    // candidate: the cat was found under the bed (7) ; reference: the cat was under the bed (6)
    const r1 = rougeN("the cat was found under the bed", "the cat was under the bed", 1);
    expect(r1.precision).toBeCloseTo(6 / 7, 10);
    expect(r1.recall).toBeCloseTo(1, 10);
    const r2 = rougeN("the cat was found under the bed", "the cat was under the bed", 2);
    // candidate bigrams 6, reference bigrams 5, shared: the cat, cat was, under the, the bed
    expect(r2.precision).toBeCloseTo(4 / 6, 10);
    expect(r2.recall).toBeCloseTo(4 / 5, 10);
    expect(r2.f1).toBeCloseTo((2 * (4 / 6) * (4 / 5)) / (4 / 6 + 4 / 5), 10);
  });

  it("clips repeated n-grams to their count in the reference", () => {
    const r = rougeN("the the the the", "the cat", 1);
    expect(r.precision).toBeCloseTo(1 / 4, 10);
    expect(r.recall).toBeCloseTo(1 / 2, 10);
  });
});
