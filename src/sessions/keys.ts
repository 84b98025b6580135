// Session ids and Redis keys: the key is the optional prefix plus the id
// (LangChain Python writes `message_store:<id>`); ids are shown without it.
import { UsageError } from "../errors/errors.js";
import { bytesFromText, hasEscapedBytes, showBytes, textFromShown } from "../text/bytes.js";

export class KeySpace {
  constructor(readonly prefix: string) {}

  key(sessionId: string): string {
    return this.prefix + sessionId;
  }

  sessionId(key: string): string {
    return key.startsWith(this.prefix) ? key.slice(this.prefix.length) : key;
  }

  /** SCAN MATCH pattern: the prefix is literal, the user's pattern is a glob. */
  match(pattern = "*"): string {
    return escapeGlob(this.prefix) + pattern;
  }
}

export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Reject ids that cannot be what the user meant; nothing is sent for them.
 * The empty id, given explicitly (`''`), is a real key: an app (or a Flowise
 * memory node's wrapped LangChain memory) without a session id stores every
 * conversation there. Returns the id to use: bytes shown as `\xff` (as
 * `sessions list` prints a key that is not UTF-8) are read back as those bytes.
 */
export function validateSessionId(id: string | undefined): string {
  if (id === undefined) throw new UsageError("the session id is missing");
  if (id !== "" && id.trim() === "")
    throw new UsageError("the session id is only whitespace", "quote the id exactly as the app writes it");
  return textFromShown(id);
}

/** For a new message: the empty id is refused, as a message there joins every id-less conversation. */
export function validateNewMessageSessionId(id: string | undefined): string {
  if (id === "") {
    throw new UsageError(
      "the session id is empty: a message stored under the empty key is shared by every conversation without a session id",
      "give the session's own id; `upstash-memory doctor ''` explains who reads the empty key",
    );
  }
  return validateSessionId(id);
}

/**
 * A session's id and key for JSON output. A key whose bytes are not UTF-8 is
 * shown readable (`\xff`) and given exactly as `keyBase64`.
 */
export function keyFields(sessionId: string, key: string): { sessionId: string; key: string; keyBase64?: string } {
  if (!hasEscapedBytes(key)) return { sessionId, key };
  return { sessionId: showBytes(sessionId), key: showBytes(key), keyBase64: bytesFromText(key).toString("base64") };
}
