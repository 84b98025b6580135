// REST tokens, as Upstash takes them: `Authorization: Bearer <token>` or the
// `_token` query parameter. Compared through SHA-256 digests with
// timingSafeEqual, so neither content nor length leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Access } from "./policy.js";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Shorter tokens are accepted, with a warning: they can be guessed. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Why these tokens cannot serve, or undefined when they can: an empty token
 * lets nobody in, a token with spaces or characters outside printable ASCII
 * cannot travel in an Authorization header, and a read-only token equal to the
 * full one would grant full access.
 */
export function tokenProblem(token: string, readonlyToken?: string): string | undefined {
  for (const [flag, value] of [
    ["--token", token],
    ["--readonly-token", readonlyToken],
  ] as const) {
    if (value === undefined) continue;
    if (value === "") return `${flag} is empty: no client could authenticate`;
    if (!/^[\x21-\x7e]+$/.test(value))
      return `${flag} must be printable ASCII without spaces (it travels in an HTTP header)`;
  }
  if (readonlyToken !== undefined && readonlyToken === token) {
    return "--readonly-token is the same as --token: the read-only token would have full access";
  }
  return undefined;
}

export class TokenCheck {
  private readonly full: Buffer;
  private readonly readonly?: Buffer;

  constructor(token: string, readonlyToken?: string) {
    const problem = tokenProblem(token, readonlyToken);
    if (problem) throw new Error(problem);
    this.full = digest(token);
    this.readonly = readonlyToken === undefined ? undefined : digest(readonlyToken);
  }

  /** What the presented credentials allow, or undefined when they allow nothing. */
  access(authorization: string | undefined, queryToken: string | null): Access | undefined {
    const presented = bearer(authorization) ?? queryToken;
    if (!presented) return undefined;
    const candidate = digest(presented);
    // Both comparisons always run, so timing does not tell which token matched.
    const isFull = timingSafeEqual(candidate, this.full);
    const isReadonly = this.readonly ? timingSafeEqual(candidate, this.readonly) : false;
    if (isFull) return "full";
    return isReadonly ? "readonly" : undefined;
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^\s*bearer\s+(.+?)\s*$/i);
  return match?.[1];
}
