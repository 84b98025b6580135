// What a person sees at a terminal: prompts, masked input, tables and colours.
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { runInPty } from "../harness/pty.js";
import { tempConfigDir } from "../harness/cli.js";
import { stack } from "../harness/stack.js";
import { appRedis, connectionEnv, writeConversation } from "../harness/transports.js";
import { storedMessages } from "../harness/fixtures.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

describe("on a terminal", () => {
  it("login asks for the URL and the token, never echoes the token, checks it and saves the profile", async () => {
    const s = stack();
    const dir = tempConfigDir();
    const r = await runInPty(
      ["login", "--profile", "tty"],
      [
        { waitFor: "REST URL", send: `${s.restUrl}\r` },
        { waitFor: "REST token", send: `${s.restToken}\r` },
      ],
      { configDir: dir },
    );
    expect(r.code).toBe(0);
    expect(r.screen).toContain("saved profile 'tty'");
    expect(r.screen).not.toContain(s.restToken);
    expect(r.screen).toContain("••••");
    const saved = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    expect(saved.profiles.tty).toMatchObject({ url: s.restUrl, token: s.restToken });
  });

  it("history show lays out the conversation with colours; NO_COLOR turns colours off", async () => {
    const id = `tty-${randomUUID().slice(0, 8)}`;
    await writeConversation(
      app,
      id,
      storedMessages()
        .slice(0, 3)
        .map((f) => f.element),
      3600,
    );
    const env = connectionEnv("rest");
    const colour = await runInPty(["history", "show", id], [], { env });
    expect(colour.code).toBe(0);
    expect(colour.screen).toMatch(/session tty-\S+ · 3 messages · TTL (1h|59m)/);
    expect(colour.screen).toMatch(/\n\s*1 {2}\S+/);
    expect(colour.screen).toMatch(/\u001b\[3\dm/);
    const plain = await runInPty(["history", "show", id], [], { env: { ...env, NO_COLOR: "1" } });
    expect(plain.screen).toMatch(/\n\s*1 {2}\S+/);
    expect(plain.screen).not.toMatch(/\u001b\[3\dm/);
  });

  it("clear asks, naming what goes; answering no deletes nothing", async () => {
    const id = `tty-${randomUUID().slice(0, 8)}`;
    await writeConversation(
      app,
      id,
      storedMessages()
        .slice(0, 4)
        .map((f) => f.element),
    );
    const env = connectionEnv("rest");
    const no = await runInPty(["clear", id], [{ waitFor: "delete 1 session, 4 messages?", send: "n\r" }], { env });
    expect(no.code).toBe(1);
    expect(await app.exists(id)).toBe(1);
    const yes = await runInPty(["clear", id], [{ waitFor: "delete 1 session, 4 messages?", send: "y\r" }], { env });
    expect(yes.code).toBe(0);
    expect(await app.exists(id)).toBe(0);
  });

  it("history show without an id lets you pick a session from a searchable list", async () => {
    const prefix = `pick${randomUUID().slice(0, 6)}:`;
    await writeConversation(
      app,
      `${prefix}alpha`,
      storedMessages()
        .slice(0, 2)
        .map((f) => f.element),
    );
    await writeConversation(
      app,
      `${prefix}beta`,
      storedMessages()
        .slice(0, 3)
        .map((f) => f.element),
    );
    const r = await runInPty(
      ["history", "show", "--prefix", prefix, "--format", "text"],
      [
        { waitFor: "alpha  (2 messages", send: "bet" },
        { waitFor: "❯ beta  (3 messages", send: "\r" },
      ],
      { env: connectionEnv("rest") },
    );
    expect(r.code).toBe(0);
    expect(r.screen.replace(/\u001b\[[0-9;]*m/g, "")).toContain("[3] assistant: Tout droit — 200 m.");
  });
});

describe("on a dumb terminal (TERM=dumb)", () => {
  // Any escape sequence at all (colour, cursor move, erase) is garbage on such a terminal.
  const ESC = /\u001b/;

  it("login asks each question as one plain line, and the token is not echoed", async () => {
    const s = stack();
    const dir = tempConfigDir();
    const r = await runInPty(
      ["login", "--profile", "dumb"],
      [
        { waitFor: "REST URL", send: "ftp://nope\r" },
        { waitFor: "expected https://", send: `${s.restUrl}\r` },
        { waitFor: "REST token: ", send: `${s.restToken}\r` },
      ],
      { configDir: dir, env: { TERM: "dumb" } },
    );
    expect(r.code).toBe(0);
    expect(r.screen).not.toMatch(ESC);
    expect(r.screen).toContain("saved profile 'dumb'");
    expect(r.screen).not.toContain(s.restToken);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    expect(saved.profiles.dumb).toMatchObject({ url: s.restUrl, token: s.restToken });
  });

  it("clear asks y/N in plain text; no and then yes do what they say", async () => {
    const id = `dumb-${randomUUID().slice(0, 8)}`;
    await writeConversation(
      app,
      id,
      storedMessages()
        .slice(0, 4)
        .map((f) => f.element),
    );
    const env = { ...connectionEnv("rest"), TERM: "dumb" };
    const no = await runInPty(["clear", id], [{ waitFor: "delete 1 session, 4 messages? (y/N) ", send: "\r" }], {
      env,
    });
    expect(no.code).toBe(1);
    expect(no.screen).not.toMatch(ESC);
    expect(await app.exists(id)).toBe(1);
    const yes = await runInPty(
      ["clear", id],
      [
        { waitFor: "(y/N) ", send: "maybe\r" },
        { waitFor: "(y/N) ", send: "y\r" },
      ],
      { env },
    );
    expect(yes.code).toBe(0);
    expect(yes.screen).toContain("answer y or n");
    expect(yes.screen).not.toMatch(ESC);
    expect(await app.exists(id)).toBe(0);
  });

  it("history show without an id offers a numbered list, narrowed by typing", async () => {
    const prefix = `dpick${randomUUID().slice(0, 6)}:`;
    await writeConversation(
      app,
      `${prefix}alpha`,
      storedMessages()
        .slice(0, 2)
        .map((f) => f.element),
    );
    await writeConversation(
      app,
      `${prefix}beta`,
      storedMessages()
        .slice(0, 3)
        .map((f) => f.element),
    );
    await writeConversation(
      app,
      `${prefix}betamax`,
      storedMessages()
        .slice(0, 1)
        .map((f) => f.element),
    );
    const r = await runInPty(
      ["history", "show", "--prefix", prefix, "--format", "text"],
      [
        { waitFor: "number or part of an id: ", send: "bet\r" },
        { waitFor: "number or part of an id: ", send: "1\r" },
      ],
      { env: { ...connectionEnv("rest"), TERM: "dumb" } },
    );
    expect(r.code).toBe(0);
    expect(r.screen).not.toMatch(ESC);
    expect(r.screen).toMatch(/ 1\) beta +\(3 messages/);
    expect(r.screen).toContain("[3] assistant: Tout droit — 200 m.");
  });
});

describe("summarize on a terminal", () => {
  it("streams the model's summary as it arrives; Ctrl-C writes nothing", async () => {
    const { startFakeOpenAI } = await import("../harness/fake-openai.js");
    const model = await startFakeOpenAI();
    try {
      const id = `tty-${randomUUID().slice(0, 8)}`;
      await writeConversation(
        app,
        id,
        Array.from({ length: 8 }, (_, i) =>
          JSON.stringify({ type: i % 2 ? "ai" : "human", data: { content: `turn ${i} about trains` } }),
        ),
      );
      const before = await app.lrange(id, 0, -1);
      const env = { ...connectionEnv("rest"), OPENAI_BASE_URL: model.baseUrl, UPSTASH_MEMORY_MODEL: "m" };
      model.queue({ kind: "stream", deltas: ["The user ", "asked about ", "trains."], gapMs: 100 });
      const shown = await runInPty(["summarize", id], [], { env });
      expect(shown.code).toBe(0);
      expect(shown.screen).toContain("The user asked about trains.");
      model.queue({ kind: "stream", deltas: ["Partial ", ...Array.from({ length: 50 }, () => "more ")], gapMs: 200 });
      const cancelled = await runInPty(
        ["summarize", id, "--store", "--yes"],
        [{ waitFor: "Partial", send: "\u0003" }],
        { env },
      );
      expect(cancelled.code).not.toBe(0);
      expect(cancelled.screen).toContain("cancelled: nothing was written");
      expect(await app.lrange(id, 0, -1)).toEqual(before);
    } finally {
      await model.close();
    }
  });
});
