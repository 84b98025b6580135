// What `search <text>` looks for, once for the client (the decoded content,
// the final word) and once for the server (literal pieces every matching
// element must contain as stored, so a script can leave the rest behind).
import { UsageError } from "../errors/errors.js";

export interface QueryOptions {
  text: string;
  caseSensitive?: boolean;
  regex?: boolean;
}

export interface Query {
  /** Where the first match in the content is, or null. */
  find(content: string): { start: number; end: number } | null;
  /**
   * Pieces of the text every element holding a match contains byte for byte
   * (lower-cased when `fold`); none when the server cannot narrow it (--regex).
   */
  pieces: string[];
  fold: boolean;
}

/**
 * Characters a stored element always holds as they are in the content: JSON
 * may escape quotes, backslashes, slashes, controls and anything beyond ASCII
 * (Python writes \u00e9), the codec joins content parts with spaces and shows
 * tool calls and images in brackets, and Python spaces its separators. A
 * match spans only pieces made of the rest, so each piece is in the element.
 * (One gap, by design: case-insensitive matching also folds the Kelvin sign
 * and the long s into k and s, which no piece lower-cased as ASCII finds.)
 */
const KEPT_AS_IS = /[A-Za-z0-9_\-.@#$%+=!?;'~^|*]+/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function compileQuery(q: QueryOptions): Query {
  if (q.text === "") throw new UsageError("the search text is empty", "give the words to look for");
  const flags = q.caseSensitive ? "u" : "iu";
  let re: RegExp;
  try {
    re = new RegExp(q.regex ? q.text : escapeRegExp(q.text), flags);
  } catch (err) {
    throw new UsageError(
      `invalid --regex: ${(err as Error).message}`,
      "use JavaScript regular expression syntax, or drop --regex to search for the text as written",
    );
  }
  const fold = !q.caseSensitive;
  const pieces = q.regex ? [] : [...new Set((q.text.match(KEPT_AS_IS) ?? []).map((p) => (fold ? p.toLowerCase() : p)))];
  return {
    find(content) {
      const m = re.exec(content);
      return m ? { start: m.index, end: m.index + m[0].length } : null;
    },
    pieces,
    fold,
  };
}
