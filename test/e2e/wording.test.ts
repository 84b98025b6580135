// Small but visible: counted nouns, help for nested commands, expire's usage,
// and piped lines that keep a message's newlines as \n (as the README says).
import { describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, cliOn, TRANSPORTS } from "../harness/transports.js";
import { uniqueId } from "../harness/stack.js";
import { runCli } from "../harness/cli.js";
import { runInPty } from "../harness/pty.js";
import { connectionEnv } from "../harness/transports.js";

const msg = (content: string) => JSON.stringify({ type: "human", data: { content } });

describe.each(TRANSPORTS)("wording over %s", (transport) => {
  const cli = cliOn(transport);
  const app: IORedis = appOn(transport);

  it("one of a thing is singular: 1 HTTP request / round trip, 1 Redis command, 1 message, 1 session", async () => {
    const prefix = `${uniqueId("one")}:`;
    await app.lpush(`${prefix}solo`, msg("only one"));
    const r = await cli(["expire", "solo", "1h", "--prefix", prefix, "--stats"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^stats: 1 (HTTP request|round trip), 1 Redis command( \(127\.0\.0\.1:\d+: 1 round trip, 1 command\))?$/m,
    );
    const appended = await cli(["append", "fresh", "first", "--prefix", prefix]);
    expect(appended.stderr).toContain("fresh: 1 message, no TTL");
    const md = await cli(["history", "show", "solo", "--prefix", prefix, "--format", "markdown"]);
    expect(md.stdout).toContain("_1 message · TTL");
    const tty = await runInPty(["history", "show", "solo", "--prefix", prefix], [], { env: connectionEnv(transport) });
    expect(tty.screen).toContain("1 message ·");
    expect(tty.screen).not.toContain("1 messages");
    const list = await runInPty(["sessions", "list", "--prefix", prefix], [], { env: connectionEnv(transport) });
    expect(list.screen).toContain("solo");
    expect(list.screen).not.toContain("1 sessions");
  });

  it("piped sessions list escapes newlines and tabs in the newest message instead of collapsing them", async () => {
    const prefix = `${uniqueId("nl")}:`;
    await app.lpush(`${prefix}s`, msg("line one\nline two\ttabbed  two  spaces\\end"));
    const r = await cli(["sessions", "list", "--prefix", prefix]);
    expect(r.code).toBe(0);
    const fields = r.stdout.trimEnd().split("\n");
    expect(fields).toHaveLength(1);
    expect(fields[0].split("\t")).toEqual([
      "s",
      "1",
      "never",
      "user",
      "line one\\nline two\\ttabbed  two  spaces\\\\end",
    ]);
  });

  it("a role named like an Object.prototype member is an unknown role, and nothing is written", async () => {
    const prefix = `${uniqueId("role")}:`;
    for (const role of ["constructor", "toString", "__proto__"]) {
      const r = await cli(["append", "s", "hi", "--role", role, "--prefix", prefix]);
      expect({ role, code: r.code }).toEqual({ role, code: 2 });
      expect(r.stderr).toContain(`unknown role '${role}'`);
    }
    expect(await app.exists(`${prefix}s`)).toBe(0);
  });

  it("expire names its arguments and says what is missing", async () => {
    const prefix = `${uniqueId("exp")}:`;
    await app.lpush(`${prefix}user-7`, msg("x"));
    const r = await cli(["expire", "user-7", "--prefix", prefix]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(/^upstash-memory: missing (--persist or )?a DURATION$/);
    expect(await app.ttl(`${prefix}user-7`)).toBe(-1);
    const bad = await cli(["expire", "user-7", "soon", "--prefix", prefix]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid duration 'soon'");
  });
});

describe("help", () => {
  it("help history show prints the help of history show; expire's usage names its arguments", async () => {
    const viaHelp = await runCli(["help", "history", "show"]);
    const direct = await runCli(["history", "show", "--help"]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(direct.stdout);
    expect(viaHelp.stdout).toMatch(/^Usage: upstash-memory history show /);
    // Global flags before it change nothing.
    const afterFlags = await runCli(["--profile", "local", "--timeout=5s", "help", "history", "show"]);
    expect({ code: afterFlags.code, stdout: afterFlags.stdout }).toEqual({ code: 0, stdout: direct.stdout });
    const expire = await runCli(["expire", "--help"]);
    expect(expire.stdout).toMatch(/^Usage: upstash-memory expire \[options\] <sessionId\.\.\.> <DURATION>$/m);
    expect(expire.stdout).toMatch(/^ {2}sessionId +one or more session ids/m);
    expect(expire.stdout).toMatch(/^ {2}DURATION +the TTL/m);
    expect(expire.stdout).not.toContain("args");
  });
});
