// Help and next steps: the commands as people type them, and words other
// tools use (list, show, delete) pointing at ours without running anything.
import { describe, expect, it } from "vitest";
import { runCli } from "../harness/cli.js";
import { appOn, cliOn } from "../harness/transports.js";
import { uniqueId } from "../harness/stack.js";

describe("help and next steps", () => {
  it("top-level help lists `sessions list` and `history show`, the commands people type", async () => {
    const h = await runCli(["--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^ {2}sessions list +list the chat sessions/m);
    expect(h.stdout).toMatch(/^ {2}history show +read one conversation/m);
  });

  it("list, show ID and delete ID suggest sessions list, history show ID and clear ID; exit 2, nothing run", async () => {
    const cli = cliOn("redis");
    const app = appOn("redis");
    const id = uniqueId("kept");
    await app.lpush(id, JSON.stringify({ type: "human", data: { content: "keep me" } }));
    const runs: [string[], string][] = [
      [["list"], "did you mean: upstash-memory sessions list"],
      [["show", id], `did you mean: upstash-memory history show ${id}`],
      [["delete", id, "--yes"], `did you mean: upstash-memory clear ${id} --yes`],
    ];
    for (const [args, hint] of runs) {
      const r = await cli(args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(r.stderr).toContain(`unknown command '${args[0]}'`);
      expect(r.stderr).toContain(hint);
    }
    expect(await app.llen(id)).toBe(1);
    await app.del(id);
  });

  it("dev --help lists --token once, with the meaning it has there", async () => {
    const h = await runCli(["dev", "--help"]);
    expect(h.code).toBe(0);
    const lines = h.stdout.split("\n").filter((l) => /^ {2}--token\b/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("token clients must send");
  });
});
