// The one-to-one mapping between key bytes and the strings the CLI carries.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { bytesFromText, hasEscapedBytes, showBytes, textFromBytes } from "../../src/text/bytes.js";
import { restCommand } from "../../src/store/rest-args.js";

describe("key bytes", () => {
  it("any bytes survive bytes → text → bytes; UTF-8 decodes as usual", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (arr) => {
        const b = Buffer.from(arr);
        const text = textFromBytes(b);
        expect(bytesFromText(text)).toEqual(b);
        if (Buffer.from(b.toString("utf8"), "utf8").equals(b)) {
          expect(text).toBe(b.toString("utf8"));
          expect(hasEscapedBytes(text)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("shows each byte that is not UTF-8 as \\xNN, keeps emoji whose low surrogate is in the escape range", () => {
    const b = Buffer.concat([Buffer.from("a"), Buffer.from([0xff, 0xc3]), Buffer.from("é💀")]);
    expect(showBytes(textFromBytes(b))).toBe("a\\xff\\xc3é💀");
    expect(hasEscapedBytes("💀")).toBe(false);
  });

  it("REST: a command with bytes that are not UTF-8 travels as base64 inside a script", () => {
    const key = textFromBytes(Buffer.from([0x6b, 0xff]));
    const [name, script, numkeys, ...rest] = restCommand(["LLEN", key]);
    expect([name, numkeys]).toEqual(["EVAL", "0"]);
    expect(script).toContain("redis.pcall(unpack(ARGV))");
    expect(rest).toEqual(["LLEN", Buffer.from([0x6b, 0xff]).toString("base64"), "tb"]);
    expect(restCommand(["LLEN", "plain"])).toEqual(["LLEN", "plain"]);
  });
});
