// Errors that name the next step: a missing input file says "no such file",
// import --merge says how many messages it added (0 included).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appOn, cliOn } from "../harness/transports.js";
import { uniqueId } from "../harness/stack.js";

const msg = (content: string) => JSON.stringify({ type: "human", data: { content } });

describe("errors that name the next step", () => {
  const cli = cliOn("redis");
  const app = appOn("redis");

  it("a file that does not exist is 'no such file', for import, append --file and --prompt", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-nofile-"));
    const nope = path.join(dir, "nope.txt");
    for (const args of [
      ["import", nope],
      ["append", "s", "--file", nope],
      ["summarize", "s", "--engine", "llm", "--model", "m", "--prompt", nope],
    ]) {
      const r = await cli([...args, "--prefix", `${uniqueId("nf")}:`]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr.split("\n")[0]).toBe(`upstash-memory: cannot read ${nope}: no such file`);
      expect(r.stderr).not.toContain("ENOENT");
    }
  });

  it("import --merge says how many messages it added, 0 when there was nothing new", async () => {
    const prefix = `${uniqueId("merge")}:`;
    await app.lpush(`${prefix}s`, msg("one"), msg("two"));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-merge-")), "s.jsonl");
    fs.writeFileSync(file, (await cli(["export", "s", "--prefix", prefix])).stdout);
    const again = await cli(["import", file, "--merge"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("imported 1 session (0 messages added)");
    await app.rpop(`${prefix}s`);
    const one = await cli(["import", file, "--merge"]);
    expect(one.stderr).toContain("imported 1 session (1 message added)");
    expect(await app.llen(`${prefix}s`)).toBe(2);
  });
});
