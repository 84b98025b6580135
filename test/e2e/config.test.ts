// Where the connection comes from, saved profiles, and their file permissions.
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { runCli, tempConfigDir } from "../harness/cli.js";
import { stack } from "../harness/stack.js";

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe("connection precedence", () => {
  it("nothing configured: one line naming the three ways, exit 4", async () => {
    const r = await runCli(["sessions", "list"]);
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("--url and --token");
    expect(r.stderr).toContain("UPSTASH_REDIS_REST_URL");
    expect(r.stderr).toContain("upstash-memory login");
  });

  it("login without a TTY needs --url and --token; saves a 0600 profile; config shows it masked", async () => {
    const s = stack();
    const dir = tempConfigDir();
    expect((await runCli(["login"], { configDir: dir })).code).toBe(2);
    const login = await runCli(["login", "--url", s.restUrl, "--token-stdin"], {
      configDir: dir,
      input: `${s.restToken}\n`,
    });
    expect(login.stderr).toContain("saved profile 'default'");
    expect(login.code).toBe(0);
    const file = path.join(dir, "config.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(file, "utf8")).toContain(s.restToken);
    // The saved profile is used with nothing else configured.
    expect((await runCli(["history", "show", "nope"], { configDir: dir })).code).toBe(3);
    const show = await runCli(["config", "show", "--json"], { configDir: dir });
    const p = JSON.parse(show.stdout);
    expect(p).toMatchObject({ name: "default", current: true, url: s.restUrl });
    expect(p.token).toMatch(/^.{2}••••••.{3}$/);
    expect(show.stdout).not.toContain(s.restToken);
    const list = await runCli(["config", "list"], { configDir: dir });
    expect(list.stdout).toMatch(/^default\t\*\t/);
    expect(list.stdout).not.toContain(s.restToken);
  });

  it("a wrong token is refused by login and nothing is saved (exit 4)", async () => {
    const dir = tempConfigDir();
    const r = await runCli(["login", "--url", stack().restUrl, "--token", "wrong-token-123"], { configDir: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("refused the token (HTTP 401");
    expect(r.stderr).not.toContain("wrong-token-123");
    expect(fs.existsSync(path.join(dir, "config.json"))).toBe(false);
  });

  it("flags beat --profile, --profile beats env, env beats the default profile", async () => {
    const s = stack();
    const dir = tempConfigDir();
    const bad = `http://127.0.0.1:${await closedPort()}`; // nothing listens there
    await runCli(["login", "--url", s.restUrl, "--token", s.restToken, "--profile", "good"], { configDir: dir });
    await runCli(["login", "--url", s.restUrl, "--token", s.restToken], { configDir: dir });
    await runCli(["config", "set", "url", bad, "--profile", "default"], { configDir: dir }); // now points nowhere
    await runCli(["config", "use", "default"], { configDir: dir });
    const viaProfile = await runCli(["history", "show", "x", "--profile", "good"], { configDir: dir });
    expect(viaProfile.code).toBe(3);
    const viaEnvProfile = await runCli(["history", "show", "x"], {
      configDir: dir,
      env: { UPSTASH_MEMORY_PROFILE: "good" },
    });
    expect(viaEnvProfile.code).toBe(3);
    const viaDefault = await runCli(["history", "show", "x", "--timeout", "2s"], { configDir: dir });
    expect(viaDefault.code).toBe(4);
    const envWins = await runCli(["history", "show", "x"], {
      configDir: dir,
      env: { UPSTASH_REDIS_REST_URL: s.restUrl, UPSTASH_REDIS_REST_TOKEN: s.restToken },
    });
    expect(envWins.code).toBe(3);
    // A stray .env pointing elsewhere does not beat a profile named on purpose.
    const strayEnv = { UPSTASH_REDIS_REST_URL: bad, UPSTASH_REDIS_REST_TOKEN: "stray-token-123" };
    expect(
      (
        await runCli(["history", "show", "x", "--profile", "good", "--timeout", "2s"], {
          configDir: dir,
          env: strayEnv,
        })
      ).code,
    ).toBe(3);
    expect(
      (
        await runCli(["history", "show", "x", "--timeout", "2s"], {
          configDir: dir,
          env: { ...strayEnv, UPSTASH_MEMORY_PROFILE: "good" },
        })
      ).code,
    ).toBe(3);
    const vercel = await runCli(["history", "show", "x"], {
      configDir: dir,
      env: { KV_REST_API_URL: s.restUrl, KV_REST_API_TOKEN: s.restToken },
    });
    expect(vercel.code).toBe(3);
    const flagWins = await runCli(["history", "show", "x", "--url", bad, "--token", s.restToken, "--timeout", "2s"], {
      configDir: dir,
      env: { UPSTASH_REDIS_REST_URL: s.restUrl, UPSTASH_REDIS_REST_TOKEN: s.restToken },
    });
    expect(flagWins.code).toBe(4);
    expect(flagWins.stderr).toContain("connection refused");
  });

  it("config set validates, config use switches, logout forgets", async () => {
    const s = stack();
    const dir = tempConfigDir();
    await runCli(["login", "--url", s.restUrl, "--token", s.restToken, "--profile", "a"], { configDir: dir });
    await runCli(["login", "--url", s.redisUrl, "--profile", "b"], { configDir: dir });
    expect((await runCli(["config", "set", "ttl", "soon"], { configDir: dir })).code).toBe(2);
    expect((await runCli(["config", "set", "colour", "red"], { configDir: dir })).code).toBe(2);
    expect(
      (await runCli(["config", "set", "prefix", "message_store:", "--profile", "b"], { configDir: dir })).code,
    ).toBe(0);
    expect((await runCli(["config", "use", "b"], { configDir: dir })).code).toBe(0);
    const shown = JSON.parse((await runCli(["config", "show", "--json"], { configDir: dir })).stdout);
    expect(shown).toMatchObject({ name: "b", current: true, prefix: "message_store:", token: null });
    expect((await runCli(["config", "use", "zzz"], { configDir: dir })).code).toBe(2);
    expect((await runCli(["config", "unset", "prefix"], { configDir: dir })).code).toBe(0);
    expect(JSON.parse((await runCli(["config", "show", "--json"], { configDir: dir })).stdout).prefix).toBe("");
    expect((await runCli(["logout", "b"], { configDir: dir })).code).toBe(0);
    expect(
      JSON.parse((await runCli(["config", "list", "--json"], { configDir: dir })).stdout).map(
        (p: { name: string }) => p.name,
      ),
    ).toEqual(["a"]);
  });

  it("a config file readable by others is repaired with a warning", async () => {
    const s = stack();
    const dir = tempConfigDir();
    await runCli(["login", "--url", s.restUrl, "--token", s.restToken], { configDir: dir });
    fs.chmodSync(path.join(dir, "config.json"), 0o644);
    fs.chmodSync(dir, 0o755);
    const r = await runCli(["config", "list"], { configDir: dir });
    expect(r.stderr).toMatch(/warning: .*config\.json was readable by others \(mode 644\); changed to 600/);
    expect(fs.statSync(path.join(dir, "config.json")).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("warns when a token would travel over plain http to another host", async () => {
    const r = await runCli([
      "history",
      "show",
      "x",
      "--url",
      "http://192.0.2.1:1",
      "--token",
      `tok-${randomUUID()}`,
      "--timeout",
      "1s",
    ]);
    expect(r.stderr).toContain("plain http://");
    expect(r.code).toBe(4);
  });
});

describe("the program", () => {
  it("--version, --help with examples, unknown command/option → exit 2 with one line", async () => {
    const pkg = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const v = await runCli(["--version"]);
    expect(v.stdout.trim()).toBe(pkg.version);
    const h = await runCli(["--help"]);
    expect(h.code).toBe(0);
    for (const c of [
      "sessions",
      "history",
      "append",
      "expire",
      "clear",
      "export",
      "import",
      "summarize",
      "doctor",
      "login",
      "logout",
      "config",
      "dev",
    ]) {
      expect(h.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    }
    expect(h.stdout).toContain("Examples:");
    const u = await runCli(["frobnicate"]);
    expect(u.code).toBe(2);
    expect(u.stderr.trim().split("\n")).toHaveLength(1);
    const o = await runCli(["sessions", "list", "--frob"]);
    expect(o.code).toBe(2);
    expect(o.stderr.trim().split("\n")).toHaveLength(1);
    for (const c of [
      ["sessions", "list"],
      ["history", "show"],
      ["append"],
      ["clear"],
      ["export"],
      ["import"],
      ["expire"],
      ["summarize"],
      ["doctor"],
      ["login"],
      ["logout"],
      ["dev"],
    ]) {
      const help = await runCli([...c, "--help"]);
      expect(help.stdout).toContain("Examples:");
      expect(help.stdout).toContain("--json");
    }
  });
});

describe("pipes", () => {
  it("stops quietly when the reader closes the pipe early (like `| head`)", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN, baseEnv } = await import("../harness/cli.js");
    const { appRedis } = await import("../harness/transports.js");
    const app = appRedis();
    const key = `pipe-${randomUUID().slice(0, 8)}`;
    const element = JSON.stringify({ type: "human", data: { content: "x".repeat(200) } });
    await app.lpush(key, ...Array.from({ length: 5000 }, () => element));
    const s = stack();
    const child = spawn(process.execPath, [BIN, "history", "show", key, "--ndjson"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...baseEnv(tempConfigDir()), UPSTASH_REDIS_REST_URL: s.restUrl, UPSTASH_REDIS_REST_TOKEN: s.restToken },
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
    await app.del(key);
    await app.quit();
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});

describe("redis:// credentials", () => {
  it("a wrong or missing password is an auth failure (exit 4) that says so, password never shown", async () => {
    const { startRedisServer } = await import("../../src/dev/redis-process.js");
    const { Redis } = await import("ioredis");
    const server = await startRedisServer();
    try {
      const admin = new Redis(server.url);
      await admin.config("SET", "requirepass", "s3cret-pass-word");
      await admin.quit();
      const host = new URL(server.url).host;
      const wrong = await runCli(["history", "show", "x", "--url", `redis://:wrong-pass-word@${host}`]);
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toContain("Redis refused the credentials (WRONGPASS");
      expect(wrong.stderr).not.toContain("wrong-pass-word");
      const missing = await runCli(["history", "show", "x", "--url", `redis://${host}`]);
      expect(missing.code).toBe(4);
      expect(missing.stderr).toContain("NOAUTH");
      const right = await runCli(["history", "show", "x", "--url", `redis://:s3cret-pass-word@${host}`]);
      expect(right.code).toBe(3);
    } finally {
      await server.stop();
    }
  });
});
