// `upstash-memory dev` in process: start-up lines, the saved `local` profile,
// a working endpoint, and a clean stop on SIGTERM.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devCommand } from "../../commands/dev.js";
import { createContext } from "../../src/context.js";
import { SAMPLE_SESSIONS } from "../../src/dev/seed.js";
import { runCli } from "../harness/cli.js";
import { startIsolatedStack, type IsolatedStack } from "../harness/stack.js";

let iso: IsolatedStack;

beforeAll(async () => {
  iso = await startIsolatedStack();
});
afterAll(async () => {
  await iso?.close();
});

interface Run {
  stdout: () => string;
  stderr: () => string;
  done: Promise<void>;
}

function runDev(args: string[], env: NodeJS.ProcessEnv): Run {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const ctx = createContext({ stdout, stderr, stdin: new PassThrough(), env });
  const cmd = devCommand(ctx)
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  return { stdout: () => out, stderr: () => err, done: cmd.parseAsync(args, { from: "user" }).then(() => undefined) };
}

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("dev command", () => {
  it("serves, saves the local profile, and stops on SIGTERM", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const env = { UPSTASH_MEMORY_CONFIG_DIR: configDir };
    fs.writeFileSync(
      path.join(configDir, "config.json"),
      JSON.stringify({ profiles: { local: { url: "http://old", token: "old", prefix: "message_store:", ttl: "7d" } } }),
      { mode: 0o600 },
    );
    const listenersBefore = process.listeners("SIGTERM");
    const run = runDev(["--port", "0", "--json", "--seed", "--redis", iso.redisUrl, "--readonly-token", "ro-token-123"], env);
    await until(() => (run.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
    const line = run.stdout();
    const info = JSON.parse(line) as { url: string; token: string; readonlyToken: string; redisUrl: string };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(info.readonlyToken).toBe("ro-token-123");
    // The Redis password is never printed.
    expect(info.redisUrl).toBe(iso.redisUrl.replace(/:[^:@/]+@/, ":••••@"));
    expect(line).not.toContain(new URL(iso.redisUrl).password);
    expect(run.stderr()).toMatch(/ready; Ctrl-C to stop/);

    const redis = new Redis({ url: info.url, token: info.token });
    const seeded = SAMPLE_SESSIONS[0];
    expect(await redis.llen(seeded.key)).toBe(seeded.messages.length);

    const saved = JSON.parse(fs.readFileSync(path.join(configDir, "config.json"), "utf8"));
    expect(saved.profiles.local).toEqual({ url: info.url, token: info.token, prefix: "message_store:", ttl: "7d" });

    process.emit("SIGTERM");
    await run.done;
    expect(process.listeners("SIGTERM").filter((l) => !listenersBefore.includes(l))).toEqual([]);
    await expect(fetch(`${info.url}/ping`)).rejects.toThrow();
    expect(run.stderr()).toMatch(/stopping/);
  });

  it("prints export-ready lines and warns about a non-loopback host", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const run = runDev(["--port", "0", "--host", "0.0.0.0", "--redis", iso.redisUrl], { UPSTASH_MEMORY_CONFIG_DIR: configDir });
    const out = await until(() => (run.stdout().split("\n").length >= 3 ? run.stdout() : undefined), "the start-up lines");
    expect(out).toMatch(/^UPSTASH_REDIS_REST_URL=http:\/\/127\.0\.0\.1:\d+\nUPSTASH_REDIS_REST_TOKEN=\S{20,}\n$/);
    await until(() => (run.stderr().includes("ready") ? true : undefined), "the ready note");
    expect(run.stderr()).toMatch(/warning: listening on 0\.0\.0\.0/);
    process.emit("SIGINT");
    await run.done;
  });

  it("refuses unusable tokens before starting anything (exit 2), and warns about short ones", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const env = { UPSTASH_MEMORY_CONFIG_DIR: configDir };
    const refused: Array<[string[], RegExp]> = [
      [["--token", ""], /--token is empty/],
      [["--readonly-token", ""], /--readonly-token is empty/],
      [["--token", "same-token-0123456789", "--readonly-token", "same-token-0123456789"], /same as --token/],
      [["--token", "with space 0123456789"], /printable ASCII/],
      [["--token", "non-ascii-é-0123456789"], /printable ASCII/],
    ];
    for (const [args, message] of refused) {
      const run = runDev(["--port", "0", "--redis", iso.redisUrl, ...args], env);
      await expect(run.done, args.join(" ")).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
      expect(run.stdout(), args.join(" ")).toBe("");
    }
    expect(fs.readdirSync(configDir)).toEqual([]);

    const run = runDev(["--port", "0", "--redis", iso.redisUrl, "--token", "short", "--readonly-token", "ro"], env);
    await until(() => (run.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
    expect(run.stderr()).toContain("warning: --token is 5 characters: short tokens can be guessed; use 16 or more");
    expect(run.stderr()).toContain("warning: --readonly-token is 2 characters");
    process.emit("SIGINT");
    await run.done;
  });

  it("exits 2 with one line for a refused token, as a user sees it", async () => {
    for (const args of [["--token", ""], ["--token", "t0123456789abcdefgh", "--readonly-token", "t0123456789abcdefgh"]]) {
      const r = await runCli(["dev", "--port", "0", "--redis", iso.redisUrl, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^upstash-memory: --(readonly-)?token /);
      expect(r.stderr).not.toContain("t0123456789abcdefgh");
    }
  });

  it("never prints the password of the redis-server it starts", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const run = runDev(["--port", "0", "--json"], { UPSTASH_MEMORY_CONFIG_DIR: configDir });
    await until(() => (run.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
    const info = JSON.parse(run.stdout()) as { redisUrl: string };
    expect(info.redisUrl).toMatch(/^redis:\/\/:••••@127\.0\.0\.1:\d+$/);
    expect(run.stderr()).toMatch(/in-memory redis-server on 127\.0\.0\.1:\d+, password-protected/);
    expect(run.stdout() + run.stderr()).not.toMatch(/redis:\/\/:[^•@\s]+@/);
    // Without the password the server answers nothing but NOAUTH.
    const { port } = new URL(info.redisUrl);
    const anonymous = new IORedis({ host: "127.0.0.1", port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0, enableReadyCheck: false });
    anonymous.on("error", () => {});
    await anonymous.connect();
    await expect(anonymous.get("anything")).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
    process.emit("SIGINT");
    await run.done;
  });

  it("rejects a bad port", async () => {
    const run = runDev(["--port", "99999", "--redis", iso.redisUrl], {});
    await expect(run.done).rejects.toThrow(/port/);
  });
});
