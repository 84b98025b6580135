// `upstash-memory dev` in process: start-up lines, the saved `local` profile,
// a working endpoint, and a clean stop on SIGTERM.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devCommand } from "../../commands/dev.js";
import { createContext } from "../../src/program/context.js";
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
      // A local endpoint from an earlier run: replaced, its other settings kept.
      JSON.stringify({
        profiles: { local: { url: "http://127.0.0.1:1", token: "old", prefix: "message_store:", ttl: "7d" } },
      }),
      { mode: 0o600 },
    );
    const listenersBefore = process.listeners("SIGTERM");
    const run = runDev(
      ["--port", "0", "--json", "--seed", "--redis", iso.redisUrl, "--readonly-token", "ro-token-0123456789"],
      env,
    );
    await until(() => (run.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
    const line = run.stdout();
    const info = JSON.parse(line) as { url: string; token: string; readonlyToken: string; redisUrl: string };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(info.readonlyToken).toBe("ro-token-0123456789");
    // The Redis password is never printed.
    expect(info.redisUrl).toBe(iso.redisUrl.replace(/:[^:@/]+@/, ":••••@"));
    expect(line).not.toContain(new URL(iso.redisUrl).password);
    expect(run.stderr()).toMatch(/ready; Ctrl-C to stop/);

    const redis = new Redis({ url: info.url, token: info.token });
    const seeded = SAMPLE_SESSIONS[0];
    expect(await redis.llen(seeded.key)).toBe(seeded.messages.length);

    const saved = JSON.parse(fs.readFileSync(path.join(configDir, "config.json"), "utf8"));
    expect(saved.profiles.local).toEqual({ url: info.url, token: info.token, prefix: "message_store:", ttl: "7d" });
    expect(run.stderr()).toContain(
      "updated profile 'local', which pointed at http://127.0.0.1:1 (use it with --profile local)",
    );

    process.emit("SIGTERM");
    await run.done;
    expect(process.listeners("SIGTERM").filter((l) => !listenersBefore.includes(l))).toEqual([]);
    await expect(fetch(`${info.url}/ping`)).rejects.toThrow();
    expect(run.stderr()).toMatch(/stopping/);
  });

  it("prints export-ready lines and warns about a non-loopback host", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const run = runDev(["--port", "0", "--host", "0.0.0.0", "--redis", iso.redisUrl], {
      UPSTASH_MEMORY_CONFIG_DIR: configDir,
    });
    const out = await until(
      () => (run.stdout().split("\n").length >= 3 ? run.stdout() : undefined),
      "the start-up lines",
    );
    expect(out).toMatch(/^UPSTASH_REDIS_REST_URL=http:\/\/127\.0\.0\.1:\d+\nUPSTASH_REDIS_REST_TOKEN=\S{20,}\n$/);
    await until(() => (run.stderr().includes("ready") ? true : undefined), "the ready note");
    expect(run.stderr()).toMatch(/warning: listening on 0\.0\.0\.0/);
    process.emit("SIGINT");
    await run.done;
  });

  it("refuses unusable tokens, short ones included, before starting anything (exit 2)", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const env = { UPSTASH_MEMORY_CONFIG_DIR: configDir };
    const refused: Array<[string[], RegExp]> = [
      [["--token", ""], /--token is empty/],
      [["--readonly-token", ""], /--readonly-token is empty/],
      [["--token", "same-token-0123456789", "--readonly-token", "same-token-0123456789"], /same as --token/],
      [["--token", "with space 0123456789"], /printable ASCII/],
      [["--token", "non-ascii-é-0123456789"], /printable ASCII/],
      [["--token", "x"], /^--token is 1 characters: short tokens can be guessed; use 16 or more$/],
      [["--token", "fifteen-chars-x"], /^--token is 15 characters/],
      [["--readonly-token", "ro"], /^--readonly-token is 2 characters/],
    ];
    for (const [args, message] of refused) {
      const run = runDev(["--port", "0", "--redis", iso.redisUrl, ...args], env);
      await expect(run.done, args.join(" ")).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(message),
      });
      expect(run.stdout(), args.join(" ")).toBe("");
    }
    expect(fs.readdirSync(configDir)).toEqual([]);

    const short = runDev(["--port", "0", "--redis", iso.redisUrl], {
      ...env,
      UPSTASH_MEMORY_DEV_READONLY_TOKEN: "short-ro",
    });
    await expect(short.done).rejects.toMatchObject({
      exitCode: 2,
      message: "UPSTASH_MEMORY_DEV_READONLY_TOKEN is 8 characters: short tokens can be guessed; use 16 or more",
    });
  });

  it("takes the tokens and the Redis URL from the environment, off the command line", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const env = {
      UPSTASH_MEMORY_CONFIG_DIR: configDir,
      UPSTASH_MEMORY_DEV_TOKEN: "env-full-token-0123456789",
      UPSTASH_MEMORY_DEV_READONLY_TOKEN: "env-readonly-token-0123456789",
      REDIS_URL: iso.redisUrl,
    };
    const run = runDev(["--port", "0", "--json", "--no-save", "--redis"], env);
    await until(() => (run.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
    const info = JSON.parse(run.stdout());
    expect(info).toMatchObject({
      token: env.UPSTASH_MEMORY_DEV_TOKEN,
      readonlyToken: env.UPSTASH_MEMORY_DEV_READONLY_TOKEN,
      redisUrl: iso.redisUrl.replace(/:[^:@/]+@/, ":••••@"),
    });
    const key = `env-${Date.now()}`;
    await new Redis({ url: info.url, token: env.UPSTASH_MEMORY_DEV_TOKEN }).set(key, "1");
    expect(await new Redis({ url: info.url, token: env.UPSTASH_MEMORY_DEV_READONLY_TOKEN }).get(key)).toBe(1);
    process.emit("SIGINT");
    await run.done;

    const missing = runDev(["--port", "0", "--redis"], { UPSTASH_MEMORY_CONFIG_DIR: configDir });
    await expect(missing.done).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/REDIS_URL, which is not set/),
    });
  });

  it("exits 2 with one line for a refused token, as a user sees it", async () => {
    for (const args of [
      ["--token", ""],
      ["--token", "t0123456789abcdefgh", "--readonly-token", "t0123456789abcdefgh"],
    ]) {
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
    const anonymous = new IORedis({
      host: "127.0.0.1",
      port: Number(port),
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableReadyCheck: false,
    });
    anonymous.on("error", () => {});
    await anonymous.connect();
    await expect(anonymous.get("anything")).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
    process.emit("SIGINT");
    await run.done;
  });

  it("its own redis-server refuses, even inside a script sent with the full token, what reaches past the one database", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const run = runDev(["--port", "0", "--json", "--no-save"], { UPSTASH_MEMORY_CONFIG_DIR: configDir });
    await until(() => (run.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
    const info = JSON.parse(run.stdout()) as { url: string; token: string };
    const post = async (body: unknown[]) => {
      const r = await fetch(info.url, {
        method: "POST",
        headers: { Authorization: `Bearer ${info.token}` },
        body: JSON.stringify(body),
      });
      return (await r.json()) as { result?: unknown; error?: string };
    };
    try {
      expect(await post(["SET", "k", "v"])).toEqual({ result: "OK" });
      for (const script of [
        "return redis.call('SWAPDB', 0, 1)",
        "redis.call('SELECT', 2) return redis.call('SET', 'x', 'y')",
        "return redis.call('MOVE', 'k', 3)",
      ]) {
        expect((await post(["EVAL", script, "0"])).error).toMatch(/can't run this command/);
      }
      // Database 0 is as it was; what Upstash allows the full token still runs.
      expect(await post(["GET", "k"])).toEqual({ result: "v" });
      expect(await post(["DBSIZE"])).toEqual({ result: 1 });
      expect(await post(["EVAL", "return redis.call('FLUSHDB')", "0"])).toEqual({ result: "OK" });
    } finally {
      process.emit("SIGINT");
      await run.done;
    }
  });

  it("never replaces a profile that points at another database", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const env = { UPSTASH_MEMORY_CONFIG_DIR: configDir };
    const file = path.join(configDir, "config.json");
    const profiles = {
      local: { url: "https://eu1-real.upstash.io", token: "real-token-0123456789", prefix: "p:" },
      prod: { url: "redis://:pw-0123456789@db.example.com:6379" },
    };
    fs.writeFileSync(file, JSON.stringify({ profiles }), { mode: 0o600 });

    // `local` in the way: left alone, said so, the endpoint runs anyway.
    const run = runDev(["--port", "0", "--redis", iso.redisUrl], env);
    await until(() => (run.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
    expect(run.stderr()).toContain(
      "warning: profile 'local' points at https://eu1-real.upstash.io, not at a local endpoint: left as it is; save this endpoint with --save-profile NAME",
    );
    process.emit("SIGINT");
    await run.done;
    expect(JSON.parse(fs.readFileSync(file, "utf8")).profiles).toEqual(profiles);

    // Named explicitly: a usage error before anything starts; the password is not shown.
    const named = runDev(["--port", "0", "--redis", iso.redisUrl, "--save-profile", "prod"], env);
    await expect(named.done).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining("profile 'prod' points at redis://:••••@db.example.com:6379"),
    });
    expect(named.stdout()).toBe("");

    // Another name: saved there, nothing else touched.
    const other = runDev(["--port", "0", "--redis", iso.redisUrl, "--save-profile", "dev-2"], env);
    await until(() => (other.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
    const url = /UPSTASH_REDIS_REST_URL=(\S+)/.exec(other.stdout())![1];
    expect(other.stderr()).toContain("saved as profile 'dev-2' (use it with --profile dev-2)");
    process.emit("SIGINT");
    await other.done;
    const after = JSON.parse(fs.readFileSync(file, "utf8")).profiles;
    expect(after).toMatchObject(profiles);
    expect(after["dev-2"].url).toBe(url);
  });

  it("--no-save saves nothing and says so; it conflicts with --save-profile", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const env = { UPSTASH_MEMORY_CONFIG_DIR: configDir };
    const run = runDev(["--port", "0", "--redis", iso.redisUrl, "--no-save"], env);
    await until(() => (run.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
    expect(run.stderr()).toContain("not saved as a profile (--no-save)");
    process.emit("SIGINT");
    await run.done;
    expect(fs.existsSync(path.join(configDir, "config.json"))).toBe(false);
    const both = runDev(["--port", "0", "--redis", iso.redisUrl, "--no-save", "--save-profile", "x"], env);
    await expect(both.done).rejects.toThrow(/cannot be used with/);
  });

  it("finds a busy port before seeding, and seeding leaves existing keys alone", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const env = { UPSTASH_MEMORY_CONFIG_DIR: configDir };
    const direct = new IORedis(iso.redisUrl);
    try {
      await direct.flushall();
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const busy = (blocker.address() as net.AddressInfo).port;
      try {
        const run = runDev(["--port", String(busy), "--redis", iso.redisUrl, "--seed"], env);
        await expect(run.done).rejects.toThrow(/port \d+ on 127\.0\.0\.1 is in use/);
        expect(await direct.dbsize()).toBe(0);
      } finally {
        blocker.close();
      }

      await direct.set("user-42", "a string of the user's");
      const run = runDev(["--port", "0", "--redis", iso.redisUrl, "--seed", "--no-save"], env);
      await until(() => (run.stderr().includes("Ctrl-C") ? true : undefined), "the ready note");
      expect(run.stderr()).toMatch(new RegExp(`seeded ${SAMPLE_SESSIONS.length - 1} sample sessions`));
      expect(run.stderr()).toContain("left 1 existing key untouched: user-42");
      expect(await direct.get("user-42")).toBe("a string of the user's");
      process.emit("SIGINT");
      await run.done;
    } finally {
      direct.disconnect();
    }
  });

  it("a refused connection to this machine points at `upstash-memory dev` over REST, at the Redis server over redis://", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const hint = "nothing listens there: start the local endpoint with `upstash-memory dev`";
    // A redis:// URL is a Redis server's, never the REST endpoint's: its advice says so.
    const redisHint = "nothing listens there: start the Redis server this URL is for, or check the port";
    for (const [url, expected] of [
      [`http://127.0.0.1:${port}`, hint],
      [`http://localhost:${port}`, hint],
      [`redis://127.0.0.1:${port}`, redisHint],
    ]) {
      const r = await runCli(["history", "show", "user-42", "--url", url, "--token", "a-token-0123456789"]);
      expect(r.code, url).toBe(4);
      expect(r.stderr, url).toContain("connection refused");
      expect(r.stderr, url).toContain(expected);
      expect(r.stderr, url).not.toContain("status page");
    }
    // The `local` profile of a dev endpoint that has stopped.
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-dev-"));
    const config = { profiles: { local: { url: `http://127.0.0.1:${port}`, token: "a-token-0123456789" } } };
    fs.writeFileSync(path.join(configDir, "config.json"), JSON.stringify(config), { mode: 0o600 });
    const r = await runCli(["--profile", "local", "sessions", "list"], { configDir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(hint);
  });

  it("rejects a bad port", async () => {
    const run = runDev(["--port", "99999", "--redis", iso.redisUrl], {});
    await expect(run.done).rejects.toThrow(/port/);
  });
});
