// Sentences as TF-IDF vectors, for the similarity graph TextRank walks.
// Terms are lowercased, stop words dropped and crudely stemmed so "booked",
// "booking" and "book" meet; Chinese/Japanese runs become character bigrams,
// the usual unit when there are no spaces. Everything iterates in insertion
// order, so the same input always gives bit-identical numbers.

export type SparseVector = Map<string, number>;

// English function words, plus the commonest French ones (chats are often French).
const STOP_WORDS = new Set(
  (
    "a an the and or but if then so than that this these those there here of to in on at by for from with about " +
    "as into over after before under again further once up down out off is am are was were be been being have has " +
    "had having do does did doing can could would should will shall may might must i me my mine we us our you your " +
    "yours he him his she her it its they them their what which who whom whose when where why how all any both each " +
    "few more most other some such no nor not only own same too very just also s t don't i'm it's that's you're " +
    "i've i'd i'll we'll let's le la les un une des du de et est je tu il elle nous vous ils pour pas que qui dans " +
    "sur avec ce cette mais ou au aux en"
  ).split(" "),
);

const WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+|[\p{L}\p{N}][\p{L}\p{M}\p{N}'’]*/gu;
const CJK_RUN = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+$/u;

/** The terms of a sentence that carry meaning, in order of appearance. */
export function contentTerms(sentence: string): string[] {
  const terms: string[] = [];
  for (const [raw] of sentence.normalize("NFKC").toLowerCase().replace(/’/g, "'").matchAll(WORD)) {
    if (CJK_RUN.test(raw)) {
      const chars = Array.from(raw);
      if (chars.length === 1) terms.push(raw);
      for (let i = 0; i + 1 < chars.length; i++) terms.push(chars[i]! + chars[i + 1]!);
      continue;
    }
    if (STOP_WORDS.has(raw)) continue;
    terms.push(stem(raw));
  }
  return terms;
}

/** Just enough suffix stripping to match inflections; not a linguistic stemmer. */
function stem(word: string): string {
  let w = word.replace(/'s$/, "");
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed") && !w.endsWith("eed")) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) w = w.slice(0, -1);
  // "booking" -> "book", "booked" -> "book", "planned" -> "plann" -> "plan"
  if (w.length > 3 && w.at(-1) === w.at(-2) && !/[aeiouls]/.test(w.at(-1)!)) w = w.slice(0, -1);
  return w;
}

/** L2-normalised TF-IDF vectors, one per document (here: per sentence). */
export function tfidfVectors(docs: string[][]): SparseVector[] {
  const df = new Map<string, number>();
  for (const doc of docs) for (const term of new Set(doc)) df.set(term, (df.get(term) ?? 0) + 1);
  const n = docs.length;
  return docs.map((doc) => {
    const tf = new Map<string, number>();
    for (const term of doc) tf.set(term, (tf.get(term) ?? 0) + 1);
    const vec: SparseVector = new Map();
    let norm = 0;
    for (const [term, count] of tf) {
      // Smoothed idf: a term in every sentence still weighs a little.
      const weight = (1 + Math.log(count)) * (Math.log((1 + n) / (1 + df.get(term)!)) + 1);
      vec.set(term, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [term, weight] of vec) vec.set(term, weight / norm);
    return vec;
  });
}

/** Cosine similarity of two L2-normalised vectors. */
export function cosine(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, weight] of small) {
    const other = large.get(term);
    if (other !== undefined) dot += weight * other;
  }
  return dot;
}

/** The normalised sum of all vectors: what the conversation is mostly about. */
export function centroid(vectors: SparseVector[]): SparseVector {
  const sum: SparseVector = new Map();
  for (const vec of vectors) for (const [term, weight] of vec) sum.set(term, (sum.get(term) ?? 0) + weight);
  let norm = 0;
  for (const weight of sum.values()) norm += weight * weight;
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [term, weight] of sum) sum.set(term, weight / norm);
  return sum;
}
