// Profiles: precedence (flags > --profile > environment > default profile) on
// both transports, names that are Object.prototype's, and what config list and
// "no connection configured" tell a new user.
import net from "node:net";
import { describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { runCli, tempConfigDir } from "../harness/cli.js";
import { appOn, connectionEnv, TRANSPORTS, type TransportName } from "../harness/transports.js";
import { stack, uniqueId } from "../harness/stack.js";

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function loginArgs(t: TransportName, profile: string): string[] {
  const env = connectionEnv(t);
  const token = env.UPSTASH_REDIS_REST_TOKEN ? ["--token", env.UPSTASH_REDIS_REST_TOKEN] : [];
  return ["login", "--url", env.UPSTASH_REDIS_REST_URL, ...token, "--profile", profile];
}

describe.each(TRANSPORTS)("precedence over %s", (transport) => {
  const app: IORedis = appOn(transport);
  it("--profile beats UPSTASH_REDIS_REST_URL/TOKEN from a stray .env; doctor notes the environment it ignored", async () => {
    const dir = tempConfigDir();
    expect((await runCli(loginArgs(transport, "prod"), { configDir: dir })).code).toBe(0);
    const id = uniqueId("prec");
    await app.lpush(id, JSON.stringify({ type: "human", data: { content: "from prod" } }));
    const stray = {
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${await closedPort()}`,
      UPSTASH_REDIS_REST_TOKEN: "stray-token-123",
    };

    const named = await runCli(["history", "show", id, "--profile", "prod", "--format", "text", "--timeout", "2s"], {
      configDir: dir,
      env: stray,
    });
    expect(named.stderr).toBe("");
    expect(named.code).toBe(0);
    expect(named.stdout).toBe("[1] user: from prod\n");

    // Without a named profile the environment still comes before the default profile.
    const unnamed = await runCli(["history", "show", id, "--timeout", "2s"], { configDir: dir, env: stray });
    expect(unnamed.code).toBe(4);

    const doctor = await runCli(["doctor", "--profile", "prod", "--json"], { configDir: dir, env: stray });
    const checks = JSON.parse(doctor.stdout).checks as { id: string; status: string; message: string; hint?: string }[];
    const note = checks.find((c) => c.id === "connection.env-ignored");
    expect(note).toMatchObject({ status: "warn" });
    expect(note!.message).toMatch(
      /^UPSTASH_REDIS_REST_URL is set but not used: profile 'prod' .* comes first; the environment points to another database \(http:\/\/127\.0\.0\.1:\d+\)$/,
    );
    expect(checks.find((c) => c.id === "connection.source")!.message).toContain("URL from profile 'prod'");
    await app.del(id);
  });

  it("--url beats --profile and the environment", async () => {
    const dir = tempConfigDir();
    await runCli(loginArgs(transport, "prod"), { configDir: dir });
    const bad = `redis://127.0.0.1:${await closedPort()}`;
    const r = await runCli(["history", "show", "x", "--profile", "prod", "--url", bad, "--timeout", "2s"], {
      configDir: dir,
    });
    expect(r.code).toBe(4);
  });
});

describe("profile names", () => {
  const inherited = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"];

  it("Object.prototype's names are no profiles until saved; then ordinary ones", async () => {
    const dir = tempConfigDir();
    const s = stack();
    await runCli(["login", "--url", s.restUrl, "--token", s.restToken], { configDir: dir });
    for (const name of inherited) {
      const show = await runCli(["config", "show", name], { configDir: dir });
      // A profile that does not exist is exit 2 everywhere (3 is a session that does not exist).
      expect({ name, code: show.code, out: show.stdout }).toEqual({ name, code: 2, out: "" });
      expect((await runCli(["logout", name], { configDir: dir })).code).toBe(2);
      expect((await runCli(["config", "use", name], { configDir: dir })).code).toBe(2);
      const used = await runCli(["history", "show", "x", "--profile", name], { configDir: dir });
      expect({ name, code: used.code }).toEqual({ name, code: 2 });
      expect(used.stderr).toContain(`no profile named '${name}'`);
    }
    // Names that start with a letter are ordinary names; `__proto__` is refused.
    for (const name of ["constructor", "toString", "valueOf", "hasOwnProperty"]) {
      expect((await runCli(["login", "--url", s.redisUrl, "--profile", name], { configDir: dir })).code).toBe(0);
      const shown = JSON.parse((await runCli(["config", "show", name, "--json"], { configDir: dir })).stdout);
      expect(shown.name).toBe(name);
      expect(shown.url).toContain(new URL(s.redisUrl).host);
      expect((await runCli(["history", "show", "x", "--profile", name], { configDir: dir })).code).toBe(3);
    }
    expect((await runCli(["login", "--url", s.redisUrl, "--profile", "__proto__"], { configDir: dir })).code).toBe(2);
    const names = JSON.parse((await runCli(["config", "list", "--json"], { configDir: dir })).stdout).map(
      (p: { name: string }) => p.name,
    );
    expect(names).toEqual(["constructor", "default", "hasOwnProperty", "toString", "valueOf"]);
    expect((await runCli(["logout", "toString"], { configDir: dir })).code).toBe(0);
    expect((await runCli(["config", "show", "toString"], { configDir: dir })).code).toBe(2);
  });
});

describe("config list and an unconfigured connection", () => {
  it("config list with no profiles says how to add one (piped, on stderr; JSON stays [])", async () => {
    const dir = tempConfigDir();
    const r = await runCli(["config", "list"], { configDir: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("no saved profiles: add one with `upstash-memory login`");
    const j = await runCli(["config", "list", "--json"], { configDir: dir });
    expect(JSON.parse(j.stdout)).toEqual([]);
  });

  it("piped config list keeps the name field the name; the current one is marked in its own field", async () => {
    const dir = tempConfigDir();
    const s = stack();
    await runCli(["login", "--url", s.redisUrl], { configDir: dir });
    await runCli(["login", "--url", s.redisUrl, "--profile", "work"], { configDir: dir });
    const rows = (await runCli(["config", "list"], { configDir: dir })).stdout
      .trimEnd()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(rows.map((r) => r.slice(0, 2))).toEqual([
      ["default", "*"],
      ["work", ""],
    ]);
    for (const r of rows) expect(r[2]).toContain(new URL(s.redisUrl).host);
  });

  it("no connection configured names the saved profiles and how to pick one", async () => {
    const dir = tempConfigDir();
    const s = stack();
    // As after `dev` saved `local` and the default was logged out: profiles, none chosen.
    await runCli(["login", "--url", s.redisUrl, "--profile", "work"], { configDir: dir });
    await runCli(["login", "--url", s.redisUrl, "--profile", "local"], { configDir: dir });
    await runCli(["login", "--url", s.redisUrl, "--profile", "old"], { configDir: dir });
    await runCli(["logout", "work"], { configDir: dir });
    const r = await runCli(["sessions", "list"], { configDir: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("no connection configured");
    expect(r.stderr).toContain("saved profiles: local, old");
    expect(r.stderr).toContain("--profile NAME");
    expect(r.stderr).toContain("upstash-memory config use NAME");
  });
});
