// Counted nouns, the one way every message says them: "1 message", "2 messages".

/** The noun's form for `n`: "message" for 1, "messages" otherwise. */
export function noun(n: number, word: string, many = `${word}s`): string {
  return n === 1 ? word : many;
}

/** "1 message", "1,204 messages". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${noun(n, word, many)}`;
}
