// REST tokens, as Upstash takes them: `Authorization: Bearer <token>` or the
// `_token` query parameter. Compared through SHA-256 digests with
// timingSafeEqual, so neither content nor length leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Access } from "./policy.js";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export class TokenCheck {
  private readonly full: Buffer;
  private readonly readonly?: Buffer;

  constructor(token: string, readonlyToken?: string) {
    this.full = digest(token);
    this.readonly = readonlyToken ? digest(readonlyToken) : undefined;
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
