// Every bidi control and terminal escape is escaped in every output format,
// JSON included, and arguments echoed in errors are escaped like stored data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, cliOn, TRANSPORTS } from "../harness/transports.js";
import { uniqueId } from "../harness/stack.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const BIDI = [
  "\u061c",
  "\u200e",
  "\u200f",
  "\u202a",
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
];
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe.each(TRANSPORTS)("escaping over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("no output format passes a bidi control or an escape sequence through", async () => {
    const prefix = `${uniqueId("bidi")}:`;
    const content = `pay ${BIDI.join("x")} \u001b]0;owned\u0007 now`;
    await app.lpush(`${prefix}s${BIDI[7]}1`, JSON.stringify({ type: "human", data: { content } }));
    const id = `s${BIDI[7]}1`;
    const runs = [
      ["history", "show", id, "--json"],
      ["history", "show", id, "--format", "ndjson"],
      ["history", "show", id, "--format", "text"],
      ["history", "show", id, "--format", "markdown"],
      ["history", "show", id, "--format", "table"],
      ["sessions", "list", "--json"],
      ["sessions", "list", "--ndjson"],
      ["sessions", "list"],
      ["export", "--match", "*"],
    ];
    for (const args of runs) {
      const r = await cli([...args, "--prefix", prefix]);
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
      expect({ args, unsafe: RAW_UNSAFE.exec(r.stdout + r.stderr)?.[0] }).toEqual({ args, unsafe: undefined });
    }
    // JSON escapes them, so parsing gives the exact text back.
    const v = JSON.parse((await cli(["history", "show", id, "--json", "--prefix", prefix])).stdout);
    expect(v.messages[0].content).toBe(content);
    const text = (await cli(["history", "show", id, "--format", "text", "--prefix", prefix])).stdout;
    expect(text).toContain("\\u{202e}");
  });

  it("arguments echoed in errors are escaped like stored data", async () => {
    const prefix = `${uniqueId("echo")}:`;
    const r = await cli(["history", "show", "x\u001b]0;T\u0007\u202e", "--prefix", prefix]);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(RAW_UNSAFE);
    expect(r.stderr).toContain("x␛]0;T␇\\u{202e}");
    const u = await cli(["sessions", "list", "--sort", "\u001b[31mred"]);
    expect(u.code).toBe(2);
    expect(u.stderr).not.toMatch(RAW_UNSAFE);
    expect(u.stderr).toContain("␛[31mred");
  });
});
