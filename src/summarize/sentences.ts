// Sentence splitting for chat messages. Chat text is messy: abbreviations
// ("Dr. Patel", "e.g. Paris"), initials ("John F. Kennedy"), decimals ("3.5"),
// URLs, ellipses, list markers ("1. Book"), lowercase sentence starts, emoji
// after the full stop, and CJK text that ends sentences with 。！？ and no space.
// Each line of a message is split on its own: chat messages use line breaks
// for lists and paragraphs, not to wrap long sentences.

/** Never end a sentence: titles before a name, and Latin abbreviations. */
const NEVER_FINAL = new Set([
  "mr",
  "mrs",
  "ms",
  "mx",
  "dr",
  "prof",
  "st",
  "sr",
  "jr",
  "mt",
  "rev",
  "gen",
  "col",
  "capt",
  "lt",
  "sgt",
  "fr",
  "e.g",
  "i.e",
  "vs",
  "cf",
  "viz",
  "approx",
  "incl",
  "esp",
  "dept",
]);

/** Often end a sentence too: split after them only when a capital letter follows. */
const MAY_END = new Set([
  "etc",
  "a.m",
  "p.m",
  "inc",
  "ltd",
  "co",
  "corp",
  "jan",
  "feb",
  "apr",
  "jun",
  "jul",
  "aug",
  "sep",
  "sept",
  "oct",
  "nov",
  "dec",
]);

/** Abbreviations that precede a number ("No. 5", "p. 12"); ordinary words otherwise ("No. I won't"). */
const BEFORE_NUMBER = new Set(["no", "nos", "nr", "p", "pp", "vol", "ch", "fig", "art", "ref", "tel", "ext"]);

/** "U.S", "Ph.D", "a.m": letter groups joined by dots. */
const DOTTED = /^(?:\p{L}{1,2}\.)+\p{L}{1,2}$/u;
const TERMINATOR_RUN = /[.!?…。！？｡]+/gu;
const CJK_TERMINATOR = /[。！？｡]/u;
const CLOSERS = /^["'”’»)\]}」』）】〕》〉]*/u;
/** Emoji right after the end of a sentence belong to it ("Booked! 🎉"). */
const TRAILING_EMOJI =
  /^(?:[ \t]*(?:\p{Regional_Indicator}{2}|\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F|\u200D\p{Extended_Pictographic})*))*/u;
const OPENERS = /^["'“‘«([{]+/u;
const HAS_WORD_CHAR = /[\p{L}\p{N}]/u;

export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n|\r|\u2028|\u2029/)) {
    for (const piece of splitLine(line)) {
      // "Thanks! :)" -> the emoticon has no words of its own: keep it with its sentence.
      if (!HAS_WORD_CHAR.test(piece) && out.length > 0) out[out.length - 1] += ` ${piece}`;
      else out.push(piece);
    }
  }
  return out;
}

function splitLine(line: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (const m of line.matchAll(TERMINATOR_RUN)) {
    const runStart = m.index;
    if (runStart < start) continue;
    let end = runStart + m[0].length;
    end += CLOSERS.exec(line.slice(end))![0].length;
    if (!endsSentence(line, start, runStart, m[0], end)) continue;
    end += TRAILING_EMOJI.exec(line.slice(end))![0].length;
    push(pieces, line.slice(start, end));
    start = end;
  }
  push(pieces, line.slice(start));
  return pieces;
}

function push(pieces: string[], raw: string): void {
  const s = raw.trim();
  if (s) pieces.push(s);
}

/** Does the terminator run at `runStart` (followed by closers up to `after`) end a sentence? */
function endsSentence(line: string, sentenceStart: number, runStart: number, run: string, after: number): boolean {
  if (CJK_TERMINATOR.test(run)) return true;
  if (after >= line.length) return true;
  // "3.5", "example.com/a?b=1", "e.g" inside a word: no space, no boundary.
  if (!/\s/u.test(line[after]!)) return false;
  if (/[!?]/.test(run)) return true;
  // An ellipsis is a pause more often than an end ("Well... I think so").
  if (run.length >= 3 || run.includes("…")) return false;

  let wordStart = runStart;
  while (wordStart > sentenceStart && !/\s/u.test(line[wordStart - 1]!)) wordStart--;
  const word = line.slice(wordStart, runStart).replace(OPENERS, "");
  const lower = word.toLowerCase();
  const next = line.slice(after).trimStart().charAt(0);

  if (NEVER_FINAL.has(lower)) return false;
  if (BEFORE_NUMBER.has(lower) && /[\d#]/.test(next)) return false;
  if (MAY_END.has(lower)) return /\p{Lu}/u.test(next);
  // "the U.S. Army": gluing two sentences together costs less than a fragment.
  if (DOTTED.test(word)) return false;
  if (/^\p{Lu}$/u.test(word)) return false; // an initial: "J. Smith"
  // A list marker at the start of the line: "1. Book the flight", "a. Pack".
  if (/^(?:\d{1,3}|\p{L})$/u.test(word) && line.slice(sentenceStart, wordStart).trim() === "") return false;
  return true;
}
