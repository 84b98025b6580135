// A config.json that is a symbolic link is read but never written through: a
// token must not land in the link's target, and the target is never chmod'ed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempConfigDir } from "../harness/cli.js";
import { stack } from "../harness/stack.js";

describe("a config.json that is a symbolic link", () => {
  it("is refused for every write (login, config set, config use), the target untouched", async () => {
    const s = stack();
    const configDir = tempConfigDir();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "um-link-target-"));
    const target = path.join(elsewhere, "dotfiles.json");
    const before = `${JSON.stringify({ profiles: { other: { url: "redis://127.0.0.1:1" } } })}\n`;
    fs.writeFileSync(target, before, { mode: 0o644 });
    fs.chmodSync(target, 0o644);
    const link = path.join(configDir, "config.json");
    fs.symlinkSync(target, link);
    for (const args of [
      ["login", "--url", s.restUrl, "--token", s.restToken],
      ["config", "set", "prefix", "p:", "--profile", "other"],
      ["config", "use", "other"],
    ]) {
      const r = await runCli(args, { configDir });
      expect({ args, code: r.code, first: r.stderr.split("\n")[0] }).toEqual({
        args,
        code: 2,
        first: `upstash-memory: ${link} is a symbolic link: profiles (tokens included) are never written through one`,
      });
    }
    expect(fs.readFileSync(target, "utf8")).toBe(before);
    expect(fs.statSync(target).mode & 0o777).toBe(0o644);
    expect(fs.readlinkSync(link)).toBe(target);
    // Reading through it still works.
    const list = await runCli(["config", "list", "--json"], { configDir });
    expect(list.stdout).toContain("other");
  });
});
