// Command names and keywords, compared the way Redis compares them: ASCII only.
//
// Redis looks commands and options up with strcasecmp, which folds A-Z and
// nothing else. JavaScript's toUpperCase/toLowerCase fold much more ("ſ" → "S",
// "ı" → "I", "ﬂ" → "FL", "K" (Kelvin) → "k"), so a name folded with them can
// mean one command to a check and another to Redis. Nothing here uses them: a
// name is canonical only when it is ASCII, and then it is upper-cased byte by
// byte. The policy decides on that canonical name and the executor sends it.
import type { Arg } from "./routes.js";

const LOWER_A = 0x61;
const LOWER_Z = 0x7a;
const CASE_BIT = 0x20;

/** The argument as ASCII text, or undefined when any byte or character is not ASCII. */
export function asciiText(arg: Arg | undefined): string | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === "string") {
    for (let i = 0; i < arg.length; i++) if (arg.charCodeAt(i) > 0x7f) return undefined;
    return arg;
  }
  for (const byte of arg) if (byte > 0x7f) return undefined;
  return arg.toString("latin1");
}

/** ASCII letters a-z to A-Z; every other character unchanged. */
export function asciiUpper(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += String.fromCharCode(c >= LOWER_A && c <= LOWER_Z ? c ^ CASE_BIT : c);
  }
  return out;
}

/** The canonical (upper-case ASCII) command name, or undefined for a name no Redis command can have. */
export function canonicalName(arg: Arg | undefined): string | undefined {
  const text = asciiText(arg);
  return text ? asciiUpper(text) : undefined;
}

/** Whether an argument is this keyword (given upper-case), as Redis' strcasecmp would say. */
export function isKeyword(arg: Arg | undefined, keyword: string): boolean {
  const text = asciiText(arg);
  return text !== undefined && text.length === keyword.length && asciiUpper(text) === keyword;
}

/** A name for an error message: non-ASCII and control characters escaped, long names cut. */
export function printableName(arg: Arg | undefined): string {
  const text = typeof arg === "string" ? arg : (arg?.toString("utf8") ?? "");
  const escaped = text.slice(0, 64).replace(/[^\x20-\x7e]/gu, (c) => {
    const cp = c.codePointAt(0)!;
    return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, "0")}`;
  });
  return text.length > 64 ? `${escaped}…` : escaped;
}
