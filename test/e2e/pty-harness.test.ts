// The terminal harness fails a test that did not go as scripted: a process it
// had to kill, or keys it never sent, are errors, never an exit code.
import { describe, expect, it } from "vitest";
import { runInPty } from "../harness/pty.js";

describe("runInPty", () => {
  it("a process killed at the timeout fails the test, naming what it waited for", async () => {
    // login on a terminal asks for the URL and waits: the prompt below never appears.
    const run = runInPty(["login"], [{ waitFor: "a prompt that never appears", send: "n\r" }], { timeoutMs: 3_000 });
    await expect(run).rejects.toThrow(/killed after 3000 ms, still waiting for "a prompt that never appears"/);
  });

  it("keys left unsent fail the test", async () => {
    const run = runInPty(["--version"], [{ waitFor: "a prompt that never appears", send: "y\r" }]);
    await expect(run).rejects.toThrow(/ended before the keys for "a prompt that never appears" were sent/);
  });

  it("a run that went as scripted resolves with its exit code", async () => {
    const r = await runInPty(["--version"], []);
    expect(r.code).toBe(0);
  });
});
