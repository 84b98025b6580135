// Profiles at the edges: config values checked before they are saved, one exit
// code for a profile that does not exist, logout that never guesses off a terminal.
import { describe, expect, it } from "vitest";
import { runCli, tempConfigDir } from "../harness/cli.js";
import { runInPty } from "../harness/pty.js";
import { stack } from "../harness/stack.js";

async function profilesIn(dir: string): Promise<unknown> {
  return JSON.parse((await runCli(["config", "list", "--json"], { configDir: dir })).stdout);
}

describe("config values", () => {
  it("config set refuses an empty token and a URL without a scheme (exit 2, profile unchanged)", async () => {
    const s = stack();
    const dir = tempConfigDir();
    expect((await runCli(["login", "--url", s.restUrl, "--token", s.restToken], { configDir: dir })).code).toBe(0);
    const before = await profilesIn(dir);
    for (const args of [
      ["token", ""],
      ["token", "   "],
      ["llm.baseUrl", "localhost:11434"],
      ["llm.baseUrl", "redis://localhost:6379"],
      ["url", "localhost:8080"],
    ]) {
      const r = await runCli(["config", "set", ...args], { configDir: dir });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr.split("\n")[0]).toMatch(/cannot be empty|expected a URL starting with/);
    }
    expect(await profilesIn(dir)).toEqual(before);
    const ok = await runCli(["config", "set", "llm.baseUrl", "http://localhost:11434/v1"], { configDir: dir });
    expect(ok.code).toBe(0);
  });

  it("a profile that does not exist is exit 2, by --profile and by config use/show/logout alike", async () => {
    const dir = tempConfigDir();
    await runCli(["login", "--url", stack().redisUrl], { configDir: dir });
    for (const args of [
      ["sessions", "list", "--profile", "nope"],
      ["config", "use", "nope"],
      ["config", "show", "nope"],
      ["config", "set", "ttl", "1h", "--profile", "nope"],
      ["logout", "nope"],
    ]) {
      const r = await runCli(args, { configDir: dir });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain("no profile named 'nope'");
    }
  });

  it("logout with no name off a terminal needs a name or --yes, and removes nothing without", async () => {
    const dir = tempConfigDir();
    await runCli(["login", "--url", stack().redisUrl, "--profile", "work"], { configDir: dir });
    const before = await profilesIn(dir);
    const refused = await runCli(["logout"], { configDir: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("logout needs a profile name");
    expect(refused.stderr).toContain("logout work");
    expect(await profilesIn(dir)).toEqual(before);
    const yes = await runCli(["logout", "--yes"], { configDir: dir });
    expect(yes.code).toBe(0);
    expect(await profilesIn(dir)).toEqual([]);
  });

  it("login says which profile is the default, and warns when the token may only read", async () => {
    const s = stack();
    const dir = tempConfigDir();
    const first = await runCli(["login", "--url", s.restUrl, "--token", s.restToken, "--profile", "rw"], {
      configDir: dir,
    });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("'rw' is the default profile");
    expect(first.stderr).not.toContain("only read");
    const ro = await runCli(["login", "--url", s.restUrl, "--token", s.readonlyToken, "--profile", "ro"], {
      configDir: dir,
    });
    expect(ro.code).toBe(0);
    expect(ro.stderr).toContain("the default is still 'rw'");
    expect(ro.stderr).toContain("warning: this token can only read");
    const json = JSON.parse(
      (
        await runCli(["login", "--url", s.restUrl, "--token", s.readonlyToken, "--profile", "ro", "--json"], {
          configDir: dir,
        })
      ).stdout,
    );
    expect(json).toMatchObject({ profile: "ro", readOnly: true, current: false });
  });

  it("login on a terminal keeps the URL on a refused token and asks only for the token again", async () => {
    const s = stack();
    const dir = tempConfigDir();
    const r = await runInPty(
      ["login", "--profile", "again"],
      [
        { waitFor: "REST URL", send: `${s.restUrl}\r` },
        { waitFor: "REST token", send: "not-the-right-token-at-all\r" },
        { waitFor: "try again", send: `${s.restToken}\r` },
      ],
      { configDir: dir },
    );
    expect(r.code).toBe(0);
    expect(r.screen).toContain("refused the token");
    // The URL was asked once, before the first token; never again.
    expect(r.screen.lastIndexOf("REST URL")).toBeLessThan(r.screen.indexOf("REST token"));
    expect(r.screen).toContain("saved profile 'again'");
    const shown = JSON.parse((await runCli(["config", "show", "again", "--json"], { configDir: dir })).stdout);
    expect(shown.url).toBe(s.restUrl);
  });
});
