// `npm run demo`, the README's first command: `dev --seed --demo --port 0`
// starts its own endpoint and redis-server, lists the samples, shows one
// conversation, says what to try next, and stops, saving no profile.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempConfigDir } from "../harness/cli.js";

describe("the demo (npm run demo)", () => {
  it("lists the sample sessions, shows one, says what next, stops with exit 0 and saves nothing", async () => {
    const configDir = tempConfigDir();
    const r = await runCli(["dev", "--seed", "--demo", "--port", "0"], { configDir, timeoutMs: 60_000 });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({
      code: 0,
      stderr: expect.stringContaining("seeded 6 sample sessions"),
    });
    // The listing (piped: tab-separated), then user-42's conversation.
    expect(r.stdout).toMatch(/^user-42\t5\tnever\tassistant\t/m);
    expect(r.stdout).toMatch(/^support-ticket-1017\t6\t/m);
    expect(r.stdout).toMatch(/^1\tsystem\tYou are a friendly travel assistant/m);
    expect(r.stderr).toContain("$ npx upstash-memory history show user-42");
    // In a clone the bare name is not on PATH: every next step says npx.
    const next = r.stderr.slice(r.stderr.indexOf("\nnext:"));
    expect(next).toContain("\n  npx upstash-memory dev --seed\n");
    expect(next).toContain("\n  npx upstash-memory --profile local doctor user-42\n");
    expect(next).not.toMatch(/^ {2}upstash-memory/m);
    // It stops by itself: nothing to stop with Ctrl-C.
    expect(r.stderr).not.toContain("Ctrl-C");
    expect(r.stderr).toContain("not saved as a profile");
    expect(fs.existsSync(path.join(configDir, "config.json"))).toBe(false);
  }, 90_000);
});
