// `upstash-memory dev` in process: start-up lines, the saved `local` profile,
// a working endpoint, and a clean stop on SIGTERM.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devCommand } from "../../commands/dev.js";
import { createContext } from "../../src/context.js";
import { SAMPLE_SESSIONS } from "../../src/dev/seed.js";
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
    expect(info.redisUrl).toBe(iso.redisUrl);
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

  it("rejects a bad port", async () => {
    const run = runDev(["--port", "99999", "--redis", iso.redisUrl], {});
    await expect(run.done).rejects.toThrow(/port/);
  });
});
