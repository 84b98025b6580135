// Connection mistakes: each is named in plain words with its fix, with the
// exit code of a connection problem (4), and nothing is saved or written.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempConfigDir } from "../harness/cli.js";
import { stack } from "../harness/stack.js";

describe("a REST URL with a path", () => {
  it("every command gives doctor's diagnosis, exit 4", async () => {
    const s = stack();
    const url = `${s.restUrl}/v1/`;
    const hint = `  use the URL exactly as the console shows it, nothing after the host: ${s.restUrl}`;
    for (const args of [
      ["sessions", "list"],
      ["history", "show", "x"],
      ["export"],
      ["clear", "x", "--yes"],
      ["expire", "x", "1h"],
      ["append", "x", "hi"],
      ["summarize", "x"],
    ]) {
      const r = await runCli([...args, "--url", url, "--token", s.restToken]);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({
        args,
        code: 4,
        stderr: `upstash-memory: the REST URL has a trailing path '/v1/': requests would go to /v1/pipeline and fail\n${hint}\n`,
      });
    }
  });

  it("login refuses it before saving anything", async () => {
    const s = stack();
    const configDir = tempConfigDir();
    const r = await runCli(["login", "--url", `${s.restUrl}/v1`, "--token", s.restToken], { configDir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("the REST URL has a trailing path '/v1'");
    expect(fs.existsSync(path.join(configDir, "config.json"))).toBe(false);
  });
});

describe("stray spaces around UPSTASH_REDIS_REST_URL", () => {
  it("are trimmed, as the token's are", async () => {
    const s = stack();
    const r = await runCli(["sessions", "list", "--prefix", "no-such-prefix-at-all:"], {
      env: { UPSTASH_REDIS_REST_URL: ` ${s.restUrl}  `, UPSTASH_REDIS_REST_TOKEN: ` ${s.restToken} ` },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining("Invalid URL") });
  });
});

describe("a redis:// password with characters a URL does not allow", () => {
  it("is never printed", async () => {
    const r = await runCli(["sessions", "list", "--url", "redis://:Zm9vYmFy/YmF6+cXV4@127.0.0.1:6379"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("upstash-memory: not a URL: 'redis://:••••@127.0.0.1:6379'");
    for (const piece of ["Zm9vYmFy", "YmF6", "cXV4"]) expect(r.stderr + r.stdout).not.toContain(piece);
  });
});

/** A TCP server that accepts every connection and never answers. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("a server that accepts and never answers", () => {
  it.each([
    ["redis://", (port: number) => ["--url", `redis://127.0.0.1:${port}`]],
    ["REST", (port: number) => ["--url", `http://127.0.0.1:${port}`, "--token", "never-sent-anywhere-else"]],
  ])("over %s, connecting, retries and the command end within about 3× --timeout", async (_, flags) => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const r = await runCli(["sessions", "list", ...flags(silent.port), "--timeout", "3s"], { timeoutMs: 60_000 });
      const elapsed = Date.now() - started;
      expect(r.code).toBe(4);
      expect(r.stderr.split("\n")[0]).toMatch(/^upstash-memory: no answer (within 3s|in time) \(/);
      expect(elapsed).toBeGreaterThanOrEqual(3_000);
      // 3 × 3 s, and the start of the process (before, redis:// took 4 × --timeout and more: 53 s with the default 10s).
      expect(elapsed).toBeLessThan(14_000);
    } finally {
      await silent.close();
    }
  });
});

describe("a redis:// URL that reaches no Redis", () => {
  it("an HTTP port is named as such, in plain words, without the library's text", async () => {
    const { host } = new URL(stack().restUrl);
    const r = await runCli(["sessions", "list", "--url", `redis://${host}`, "--timeout", "2s"]);
    expect(r.code).toBe(4);
    expect(r.stderr.split("\n")[0]).toBe(`upstash-memory: the server at ${host} answered HTTP, not Redis`);
    expect(r.stderr).not.toMatch(/maxRetriesPerRequest|max retries|upstash-memory dev/);
  });

  it("a refused one gets no advice meant for REST", async () => {
    const silent = await silentServer();
    await silent.close(); // a port nothing listens on now
    const r = await runCli(["sessions", "list", "--url", `redis://127.0.0.1:${silent.port}`]);
    expect(r.code).toBe(4);
    expect(r.stderr.split("\n")[0]).toBe(`upstash-memory: connection refused (redis://127.0.0.1:${silent.port})`);
    expect(r.stderr).not.toContain("upstash-memory dev");
  });
});
