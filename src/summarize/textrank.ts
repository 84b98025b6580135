// TextRank (Mihalcea & Tarau, 2004): PageRank over a graph whose nodes are
// sentences and whose edge weights are their similarities, so a sentence ranks
// high when many sentences that rank high resemble it. The random jump goes to
// sentences in proportion to `bias` (personalised PageRank) rather than
// uniformly: that is how the engine favours questions and decisions.

export interface TextRankOptions {
  damping: number;
  maxIterations: number;
  /** Stop once the scores move less than this in total (L1) in one iteration. */
  tolerance: number;
}

export const TEXTRANK_DEFAULTS: TextRankOptions = { damping: 0.85, maxIterations: 100, tolerance: 1e-9 };

interface Edge {
  to: number;
  weight: number;
}

/**
 * Scores (summing to 1) for nodes 0..n-1. `similarity(i, j)` must be symmetric;
 * `bias` holds one non-negative weight per node (all zero means uniform).
 */
export function textRank(
  n: number,
  similarity: (i: number, j: number) => number,
  bias: readonly number[],
  options: TextRankOptions = TEXTRANK_DEFAULTS,
): number[] {
  if (n === 0) return [];
  const outgoing: Edge[][] = Array.from({ length: n }, () => []);
  const outWeight = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const w = similarity(i, j);
      if (w <= 0) continue;
      outgoing[i]!.push({ to: j, weight: w });
      outgoing[j]!.push({ to: i, weight: w });
      outWeight[i]! += w;
      outWeight[j]! += w;
    }
  }

  const biasSum = bias.reduce((a, b) => a + b, 0);
  const jump = biasSum > 0 ? bias.map((b) => b / biasSum) : new Array<number>(n).fill(1 / n);
  const { damping, maxIterations, tolerance } = options;
  let scores = jump.slice();
  for (let iter = 0; iter < maxIterations; iter++) {
    // Sentences similar to nothing pass their score on through the random jump.
    let dangling = 0;
    for (let i = 0; i < n; i++) if (outWeight[i] === 0) dangling += scores[i]!;
    const next = jump.map((p) => (1 - damping + damping * dangling) * p);
    for (let i = 0; i < n; i++) {
      if (outWeight[i] === 0) continue;
      const share = (damping * scores[i]!) / outWeight[i]!;
      for (const edge of outgoing[i]!) next[edge.to]! += share * edge.weight;
    }
    let delta = 0;
    for (let i = 0; i < n; i++) delta += Math.abs(next[i]! - scores[i]!);
    scores = next;
    if (delta < tolerance) break;
  }
  return scores;
}
