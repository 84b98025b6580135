// ROUGE-N (Lin, 2004) F1: n-gram overlap between a candidate summary and a
// reference, with clipped counts. Tokens are lowercased runs of letters and
// digits, no stemming and no stop-word removal, like the reference scorer's
// defaults.

function tokens(text: string): string[] {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

function ngrams(words: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= words.length; i++) {
    const gram = words.slice(i, i + n).join(" ");
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

export interface RougeScore {
  precision: number;
  recall: number;
  f1: number;
}

export function rougeN(candidate: string, reference: string, n: number): RougeScore {
  const cand = ngrams(tokens(candidate), n);
  const ref = ngrams(tokens(reference), n);
  let overlap = 0;
  for (const [gram, count] of cand) overlap += Math.min(count, ref.get(gram) ?? 0);
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const candTotal = total(cand);
  const refTotal = total(ref);
  const precision = candTotal ? overlap / candTotal : 0;
  const recall = refTotal ? overlap / refTotal : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}
