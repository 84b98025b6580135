// Counted nouns, the one way every message says them: "1 message", "2 messages".

/** The noun's form for `n`: "message" for 1, "messages" otherwise. */
export function noun(n: number, word: string, many = `${word}s`): string {
  return n === 1 ? word : many;
}

/**
 * "1,204": an integer with its thousands grouped, as toLocaleString("en-US")
 * writes it. By hand because the first toLocaleString of a process loads ICU's
 * number formatting: ~15 ms and several MB, more than a one-request command
 * spends on everything else it does.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ",");
  return n < 0 ? `-${digits}` : digits;
}

/** "1 message", "1,204 messages". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${groupDigits(n)} ${noun(n, word, many)}`;
}
