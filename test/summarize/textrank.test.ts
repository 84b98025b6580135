import { describe, expect, it } from "vitest";
import { TEXTRANK_DEFAULTS, textRank } from "../../src/summarize/textrank.js";

// A star: node 0 resembles everyone, the others only resemble node 0.
const star = (i: number, j: number) => (i === 0 || j === 0 ? 1 : 0);

describe("textRank", () => {
  it("ranks the most connected node first and sums to 1", () => {
    const scores = textRank(5, star, [1, 1, 1, 1, 1]);
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    for (let i = 1; i < 5; i++) expect(scores[0]!).toBeGreaterThan(scores[i]!);
  });

  it("moves rank toward biased nodes", () => {
    const plain = textRank(5, star, [1, 1, 1, 1, 1]);
    const biased = textRank(5, star, [1, 1, 1, 1, 5]);
    expect(biased[4]!).toBeGreaterThan(plain[4]!);
    expect(biased[4]!).toBeGreaterThan(biased[3]!);
  });

  it("falls back to the bias when nothing is similar", () => {
    const scores = textRank(3, () => 0, [1, 2, 1]);
    expect(scores[0]).toBeCloseTo(0.25, 9);
    expect(scores[1]).toBeCloseTo(0.5, 9);
    expect(scores[2]).toBeCloseTo(0.25, 9);
  });

  it("is uniform with a zero bias on a symmetric graph, and exactly repeatable", () => {
    const ring = (i: number, j: number) => (Math.abs(i - j) === 1 || Math.abs(i - j) === 5 ? 1 : 0);
    const a = textRank(6, ring, [0, 0, 0, 0, 0, 0]);
    for (const s of a) expect(s).toBeCloseTo(1 / 6, 9);
    expect(textRank(6, ring, [0, 0, 0, 0, 0, 0])).toEqual(a);
  });

  it("stops after maxIterations", () => {
    let calls = 0;
    const counting = (i: number, j: number) => {
      calls++;
      return star(i, j);
    };
    const one = textRank(4, counting, [1, 1, 1, 1], { ...TEXTRANK_DEFAULTS, maxIterations: 1 });
    const many = textRank(4, star, [1, 1, 1, 1]);
    expect(calls).toBe(6); // similarity is asked once per pair
    expect(one).not.toEqual(many);
    expect(textRank(0, star, [])).toEqual([]);
  });
});
