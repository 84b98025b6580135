// Small edges: FORCE_COLOR in a pipe, singular counts, prompts that fit.
import { describe, expect, it } from "vitest";
import { appOn, cliOn, connectionEnv } from "../harness/transports.js";
import { runInPty } from "../harness/pty.js";
import { startFakeOpenAI } from "../harness/fake-openai.js";
import { uniqueId } from "../harness/stack.js";

const msg = (content: string) => JSON.stringify({ type: "human", data: { content } });
const ESC = "\u001b[";

describe("small edges", () => {
  const cli = cliOn("redis");
  const app = appOn("redis");

  it("FORCE_COLOR=1 colours piped output; without it (or with NO_COLOR) piped output is plain", async () => {
    const prefix = `${uniqueId("color")}:`;
    await app.lpush(`${prefix}s`, msg("hello"));
    const args = ["history", "show", "s", "--format", "text", "--prefix", prefix];
    const forced = await cli(args, { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(ESC);
    const plain = await cli(args, { env: { NO_COLOR: undefined } });
    expect(plain.stdout).not.toContain(ESC);
    const both = await cli(args, { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(both.stdout).not.toContain(ESC);
  });

  it("one of a thing is singular in the summarize question: 'all but the newest message'", async () => {
    const prefix = `${uniqueId("one")}:`;
    await app.lpush(`${prefix}s`, msg("a"), msg("b"), msg("c"));
    const question = "replace all but the newest message of session 's' with a summary?";
    const r = await runInPty(
      ["summarize", "s", "--store", "--keep", "1", "--prefix", prefix],
      [{ waitFor: question, send: "n\r" }],
      { env: connectionEnv("redis") },
    );
    expect(r.screen).toContain(question);
    expect(r.code).toBe(1);
    expect(await app.llen(`${prefix}s`)).toBe(3);
  });

  it("the session picker says that typing filters", async () => {
    const prefix = `${uniqueId("pick")}:`;
    await app.lpush(`${prefix}only`, msg("a"));
    const r = await runInPty(["history", "show", "--prefix", prefix], [{ waitFor: "type to filter", send: "\r" }], {
      env: connectionEnv("redis"),
    });
    expect(r.code).toBe(0);
    expect(r.screen).toContain("only  (1 message, TTL never)");
  });

  it("piped repair --dry-run prints each element whole, never cut with …", async () => {
    const prefix = `${uniqueId("whole")}:`;
    const long = JSON.stringify(["dropped by readers: ".repeat(10)]);
    await app.rpush(`${prefix}s`, msg("b"), long, msg("a"));
    const r = await cli(["repair", "s", "--invisible", "--dry-run", "--prefix", prefix]);
    expect(r.code).toBe(0);
    const fields = r.stdout.trimEnd().split("\t");
    expect(fields[fields.length - 1]).toBe(long.replace(/\\/g, "\\\\"));
    expect(r.stdout).not.toContain("…");
  });

  it("summarize --engine llm shows on a terminal how far the model got through a long conversation", async () => {
    const model = await startFakeOpenAI();
    try {
      const prefix = `${uniqueId("llmsteps")}:`;
      const lines = Array.from({ length: 12 }, (_, i) => msg(`message ${i}: ${"words about the trip ".repeat(30)}`));
      await app.rpush(`${prefix}s`, ...lines);
      // Each request answers after 400 ms, so the progress line has time to show.
      model.script(() => ({ kind: "json", content: "a running summary", delayMs: 400 }));
      const env = { ...connectionEnv("redis"), OPENAI_BASE_URL: model.baseUrl, UPSTASH_MEMORY_MODEL: "m" };
      const r = await runInPty(
        ["summarize", "s", "--engine", "llm", "--max-input-tokens", "600", "--prefix", prefix],
        [],
        {
          env,
        },
      );
      expect(r.code).toBe(0);
      expect(model.requests.length).toBeGreaterThan(2);
      expect(r.screen).toMatch(/summarizing: the model has read \d+\/\d+ parts/);
      expect(r.screen).toContain("a running summary");
    } finally {
      await model.close();
    }
  });
});
