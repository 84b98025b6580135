import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pagerCommand } from "../../src/terminal/pager.js";

function binDir(...names: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-bin-"));
  for (const n of names) fs.writeFileSync(path.join(dir, n), "#!/bin/sh\ncat\n", { mode: 0o755 });
  return dir;
}

describe("which pager", () => {
  const withLess = binDir("less");
  const without = binDir();
  it("UPSTASH_MEMORY_PAGER, else PAGER, else less -FRX when installed", () => {
    expect(pagerCommand({ UPSTASH_MEMORY_PAGER: "most", PAGER: "more", PATH: withLess })).toBe("most");
    expect(pagerCommand({ PAGER: "more -s", PATH: withLess })).toBe("more -s");
    expect(pagerCommand({ PATH: withLess })).toBe("less -FRX");
    expect(pagerCommand({ PATH: without })).toBeNull();
  });
  it("off with --no-pager, an empty UPSTASH_MEMORY_PAGER, cat, or less on a dumb terminal", () => {
    expect(pagerCommand({ PAGER: "more", PATH: withLess }, false)).toBeNull();
    expect(pagerCommand({ UPSTASH_MEMORY_PAGER: "", PAGER: "more", PATH: withLess })).toBeNull();
    expect(pagerCommand({ PAGER: "cat", PATH: withLess })).toBeNull();
    expect(pagerCommand({ TERM: "dumb", PATH: withLess })).toBeNull();
    expect(pagerCommand({ TERM: "dumb", PAGER: "more", PATH: withLess })).toBe("more");
  });
});
