// Word counting for the --max-words budget. A word is a whitespace-separated
// token, except that Chinese and Japanese are written without spaces: there,
// every two CJK characters (ideographs, kana, CJK punctuation) count as one
// word, so a budget means roughly the same amount of text in every language.
// A token is never counted as less than one word, so the count is never below
// what a plain whitespace split gives.

const CJK_CLASS = "[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u3000-\\u303f\\uff00-\\uffef]";
const CJK_CHAR = new RegExp(CJK_CLASS, "gu");
const HAS_CJK = new RegExp(CJK_CLASS, "u");
const ELLIPSIS = "…";

function tokenWords(token: string): number {
  const cjk = token.match(CJK_CHAR)?.length ?? 0;
  if (cjk === 0) return 1;
  const rest = token.replace(CJK_CHAR, "");
  return Math.max(1, Math.ceil(cjk / 2) + (rest.length > 0 ? 1 : 0));
}

export function countWords(text: string): number {
  let n = 0;
  for (const token of text.split(/\s+/u)) if (token) n += tokenWords(token);
  return n;
}

/**
 * The longest prefix of `text` (whitespace collapsed) within `max` words,
 * with "…" when something was cut. A CJK run is cut between characters.
 */
export function truncateWords(text: string, max: number): string {
  const tokens = text.split(/\s+/u).filter(Boolean);
  const kept: string[] = [];
  let used = 0;
  for (const token of tokens) {
    const w = tokenWords(token);
    if (used + w <= max) {
      kept.push(token);
      used += w;
      continue;
    }
    const partial = longestPrefixWithin(token, max - used);
    if (partial) kept.push(partial);
    return withEllipsis(kept);
  }
  return kept.join(" ");
}

function longestPrefixWithin(token: string, budget: number): string {
  if (budget <= 0 || !HAS_CJK.test(token)) return "";
  const chars = Array.from(token);
  let best = "";
  for (let i = 1; i < chars.length; i++) {
    const prefix = chars.slice(0, i).join("");
    if (tokenWords(prefix) > budget) break;
    best = prefix;
  }
  return best;
}

/** Mark the cut, unless the mark itself would cost a word (after CJK text). */
function withEllipsis(kept: string[]): string {
  if (kept.length === 0) return "";
  const last = kept[kept.length - 1]!;
  if (tokenWords(last + ELLIPSIS) === tokenWords(last)) kept[kept.length - 1] = last + ELLIPSIS;
  return kept.join(" ");
}
