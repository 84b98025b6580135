// Secrets off the command line: `config set token -` and `config set
// llm.apiKey -` read the value from stdin (its first line), so it never shows
// in `ps`; the value is saved, not printed.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempConfigDir } from "../harness/cli.js";

function profileDir(): string {
  const dir = tempConfigDir();
  const config = { profiles: { work: { url: "https://example.upstash.io", token: "old-token-0123456789" } } };
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config), { mode: 0o600 });
  return dir;
}

function saved(dir: string) {
  return JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")).profiles.work;
}

describe("config set KEY - reads the secret from stdin", () => {
  it("sets token and llm.apiKey from stdin's first line, and prints neither", async () => {
    const dir = profileDir();
    for (const [key, value] of [
      ["token", "new-token-from-stdin-0123456789"],
      ["llm.apiKey", "sk-from-stdin-0123456789"],
    ]) {
      const r = await runCli(["config", "set", key, "-", "--profile", "work"], { configDir: dir, input: `${value}\n` });
      expect(r.code, key).toBe(0);
      expect(r.stdout + r.stderr, key).not.toContain(value);
    }
    expect(saved(dir).token).toBe("new-token-from-stdin-0123456789");
    expect(JSON.stringify(saved(dir))).toContain("sk-from-stdin-0123456789");
  });

  it("refuses an empty stdin (exit 2) and changes nothing", async () => {
    const dir = profileDir();
    const r = await runCli(["config", "set", "token", "-", "--profile", "work"], { configDir: dir, input: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no token on stdin/);
    expect(saved(dir).token).toBe("old-token-0123456789");
  });
});
