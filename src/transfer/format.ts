// The export format, JSON Lines, one session per line:
//   {"key","sessionId","ttlSeconds","elements":[...]}
// elements are the raw stored strings, newest first exactly as stored (LRANGE
// order). An element whose bytes are not valid UTF-8 cannot be a JSON string,
// so it is written as {"base64": "..."} instead; import turns it back into the
// same bytes. A key that is not UTF-8 is written readable (`\xff`) in "key"
// and exactly in "keyBase64", which import uses.
import { UsageError } from "../errors/errors.js";
import { isValidUtf8 } from "../history/codec.js";
import { textFromBytes } from "../text/bytes.js";
import { MAX_TTL_SECONDS } from "../duration/duration.js";

export type ExportedElement = string | { base64: string };

export interface ExportLine {
  /** The Redis key (bytes that are not UTF-8 as in text/bytes.ts once parsed). */
  key: string;
  /** Only for a key that is not UTF-8: its exact bytes. */
  keyBase64?: string;
  sessionId: string;
  ttlSeconds: number | null;
  elements: ExportedElement[];
}

export function exportElement(b: Buffer): ExportedElement {
  return isValidUtf8(b) ? b.toString("utf8") : { base64: b.toString("base64") };
}

export function elementBytes(e: ExportedElement): Buffer {
  return typeof e === "string" ? Buffer.from(e, "utf8") : Buffer.from(e.base64, "base64");
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** A lone surrogate ("\udcff" in JSON) is no Unicode text: UTF-8 would store U+FFFD. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** Validates one line of an export; errors name the line. */
export function parseExportLine(text: string, lineNo: number): ExportLine {
  const bad = (why: string) => new UsageError(`import line ${lineNo}: ${why}`, "nothing was written");
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad("not JSON");
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw bad("not an object");
  const o = v as Record<string, unknown>;
  if (typeof o.key !== "string" || o.key.trim() === "") throw bad('missing or empty "key"');
  if (o.sessionId !== undefined && typeof o.sessionId !== "string") throw bad('"sessionId" is not a string');
  let key = o.key;
  if (o.keyBase64 !== undefined) {
    if (typeof o.keyBase64 !== "string" || o.keyBase64 === "" || !BASE64.test(o.keyBase64))
      throw bad('"keyBase64" is not base64');
    key = textFromBytes(Buffer.from(o.keyBase64, "base64"));
  } else if (LONE_SURROGATE.test(key)) {
    throw bad('"key" is not valid Unicode (a lone surrogate); give a key\'s exact bytes as "keyBase64"');
  }
  if (o.ttlSeconds !== null && o.ttlSeconds !== undefined) {
    if (
      typeof o.ttlSeconds !== "number" ||
      !Number.isInteger(o.ttlSeconds) ||
      o.ttlSeconds <= 0 ||
      o.ttlSeconds > MAX_TTL_SECONDS
    ) {
      throw bad('"ttlSeconds" must be null or a whole number of seconds greater than zero');
    }
  }
  if (!Array.isArray(o.elements) || o.elements.length === 0) throw bad('"elements" must be a non-empty array');
  o.elements.forEach((e, i) => {
    if (typeof e === "string" && LONE_SURROGATE.test(e)) {
      throw bad(
        `element ${i + 1} is not valid Unicode (a lone surrogate); write bytes that are not UTF-8 as {"base64": "..."}`,
      );
    }
    if (typeof e === "string") return;
    if (
      e &&
      typeof e === "object" &&
      typeof (e as { base64?: unknown }).base64 === "string" &&
      BASE64.test((e as { base64: string }).base64)
    )
      return;
    throw bad(`element ${i + 1} is neither a string nor {"base64": "..."}`);
  });
  return {
    key,
    sessionId: (o.sessionId as string | undefined) ?? o.key,
    ttlSeconds: (o.ttlSeconds as number | null | undefined) ?? null,
    elements: o.elements as ExportedElement[],
  };
}
