// A password in a redis:// URL is never printed, whatever its characters: the
// redaction must not stop at one of them (base64 passwords hold `/` and `+`).
import { describe, expect, it } from "vitest";
import { redact } from "../../src/errors/secrets.js";

// Every printable ASCII character, a space, and characters beyond ASCII.
const CHARACTERS = [...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)), "é", "€", "😀"];

describe("redact: URL passwords", () => {
  it.each(CHARACTERS.map((c) => [JSON.stringify(c), c]))("a password holding %s is hidden whole", (_, c) => {
    const password = `Zm9v${c}YmF6${c}cXV4`;
    for (const [url, shown] of [
      [`redis://:${password}@127.0.0.1:6379`, "redis://:••••@127.0.0.1:6379"],
      [`rediss://default:${password}@db.upstash.io:6379/0`, "rediss://default:••••@db.upstash.io:6379/0"],
    ]) {
      const line = redact(`not a URL: '${url}'`);
      expect(line).toBe(`not a URL: '${shown}'`);
      // Not even a piece of it: each side of the character is gone too.
      for (const piece of ["Zm9v", "YmF6", "cXV4"]) expect(line).not.toContain(piece);
    }
  });

  it("the base64 password of the report", () => {
    expect(redact("not a URL: 'redis://:Zm9vYmFy/YmF6+cXV4@host:6379'")).toBe("not a URL: 'redis://:••••@host:6379'");
  });

  it("leaves URLs without a password, and the usage hint, as they are", () => {
    for (const text of [
      "redis://127.0.0.1:6379/0",
      "redis://user@host:6379",
      "expected https://<db>.upstash.io or redis://[:password@]host:port",
    ])
      expect(redact(text)).toBe(text);
  });
});
