// Output and flags at the edges: dry runs that print what --json promises,
// one duration grammar, readable TTLs on a terminal, one exit code per condition.
import { describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, cliOn, connectionEnv, TRANSPORTS } from "../harness/transports.js";
import { uniqueId } from "../harness/stack.js";
import { runInPty, screenLines } from "../harness/pty.js";

const msg = (content: string) => JSON.stringify({ type: "human", data: { content } });

describe.each(TRANSPORTS)("output and flags over %s", (transport) => {
  const cli = cliOn(transport);
  const app: IORedis = appOn(transport);

  it("expire --dry-run --json prints JSON shaped like clear's, by id and by --match, and changes nothing", async () => {
    const prefix = `${uniqueId("exdry")}:`;
    await app.lpush(`${prefix}x1`, msg("a"), msg("b"));
    await app.lpush(`${prefix}x2`, msg("c"));
    const byId = await cli(["expire", "x1", "1h", "--dry-run", "--json", "--prefix", prefix]);
    expect(byId.code).toBe(0);
    expect(JSON.parse(byId.stdout)).toEqual({
      wouldSet: [{ sessionId: "x1", key: `${prefix}x1`, count: 2, ttlSeconds: null, newTtlSeconds: 3600 }],
      missing: [],
      notLists: [],
    });
    const byMatch = await cli(["expire", "--match", "x*", "3h", "--dry-run", "--json", "--prefix", prefix]);
    expect(byMatch.code).toBe(0);
    const json = JSON.parse(byMatch.stdout);
    expect(json.wouldSet.map((t: { sessionId: string }) => t.sessionId).sort()).toEqual(["x1", "x2"]);
    expect(json.wouldSet[0].newTtlSeconds).toBe(10800);
    expect(byMatch.stderr).toMatch(/^would set a TTL of 3h on 2 sessions, 3 messages \(matching 'x\*'\)$/m);
    const clearDry = JSON.parse(
      (await cli(["clear", "--match", "x*", "--dry-run", "--json", "--prefix", prefix])).stdout,
    );
    expect(Object.keys(clearDry)).toEqual(["wouldDelete", "missing"]);
    expect(json.missing).toEqual(clearDry.missing);
    const missing = await cli(["expire", "x1", "nope", "1h", "--dry-run", "--json", "--prefix", prefix]);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout).missing).toEqual(["nope"]);
    expect(await app.ttl(`${prefix}x1`)).toBe(-1);
    expect(await app.ttl(`${prefix}x2`)).toBe(-1);
  });

  it("--timeout takes the same duration syntax as --interval (500ms)", async () => {
    const prefix = `${uniqueId("tmo")}:`;
    await app.lpush(`${prefix}s`, msg("a"));
    const r = await cli(["sessions", "list", "--timeout", "500ms", "--prefix", prefix]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^s\t1\t/);
    const bad = await cli(["sessions", "list", "--timeout", "soon", "--prefix", prefix]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("500ms");
  });

  it("expire on a terminal shows the TTL readable (2h); piped it stays seconds", async () => {
    const prefix = `${uniqueId("exttl")}:`;
    await app.lpush(`${prefix}s`, msg("a"));
    const tty = await runInPty(["expire", "s", "2h", "--prefix", prefix], [], { env: connectionEnv(transport) });
    expect(tty.code).toBe(0);
    expect(screenLines(tty.screen).map((l) => l.trimEnd())).toContain("s  2h");
    const piped = await cli(["expire", "s", "2h", "--prefix", prefix]);
    expect(piped.stdout).toBe("s\t7200\n");
  });

  it("history show --follow --json prints NDJSON from the first line, one shape throughout", async () => {
    const prefix = `${uniqueId("fjson")}:`;
    await app.lpush(`${prefix}s`, msg("one"), msg("two"));
    const r = await cli([
      "history",
      "show",
      "s",
      "--follow",
      "--json",
      "--interval",
      "100ms",
      "--for",
      "500ms",
      "--prefix",
      prefix,
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const rows = lines.map((l) => JSON.parse(l));
    expect(rows.map((x) => x.content)).toEqual(["one", "two"]);
    expect(Object.keys(rows[0])).toEqual(Object.keys(rows[1]));
    const help = await cli(["history", "show", "--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toContain("with --json, NDJSON from the first line");
  });

  it("--format text keeps line breaks and tabs, continuation lines under the message", async () => {
    const prefix = `${uniqueId("ftext")}:`;
    const code = "def f():\n\treturn 1\n    # four spaces";
    await app.lpush(`${prefix}s`, msg(code), msg("plain"));
    const r = await cli(["history", "show", "s", "--format", "text", "--prefix", prefix]);
    expect(r.code).toBe(0);
    const head = "[1] user: ";
    const pad = " ".repeat(head.length);
    expect(r.stdout).toBe(`${head}def f():\n${pad}\treturn 1\n${pad}    # four spaces\n[2] user: plain\n`);
  });

  it("sessions list at 40 columns keeps ids whole: the last message gives way first", async () => {
    const prefix = `${uniqueId("narrow")}:`;
    const ids = [1, 2, 3].map((n) => `conversation-2026-alpha-${n}`);
    for (const id of ids) await app.lpush(`${prefix}${id}`, msg("a newest message far too long for forty columns"));
    const tty = await runInPty(["sessions", "list", "--prefix", prefix], [], {
      env: connectionEnv(transport),
      columns: 40,
    });
    expect(tty.code).toBe(0);
    const lines = screenLines(tty.screen);
    for (const id of ids) expect(lines.some((l) => l.startsWith(`${id}  `))).toBe(true);
  });

  it("a key of another type is exit 1 in every command, and is left as it was", async () => {
    const prefix = `${uniqueId("wtype")}:`;
    await app.set(`${prefix}str`, "not a list");
    for (const args of [
      ["history", "show", "str"],
      ["expire", "str", "1h"],
      ["clear", "str", "--yes"],
      ["export", "str"],
      ["summarize", "str"],
      ["repair", "str", "--yes"],
    ]) {
      const r = await cli([...args, "--prefix", prefix]);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toContain("not a chat history");
    }
    expect(await app.get(`${prefix}str`)).toBe("not a list");
    expect(await app.ttl(`${prefix}str`)).toBe(-1);
  });

  it("summarize --store warns that a leading system message is folded in, with --dry-run and --yes too", async () => {
    const prefix = `${uniqueId("fold")}:`;
    const sys = JSON.stringify({ type: "system", data: { content: "You are a terse travel assistant." } });
    const turns = ["Where is the station?", "Straight ahead.", "And the museum?", "Left at the square."];
    await app.rpush(`${prefix}s`, ...turns.map(msg).reverse(), sys);
    const dry = await cli(["summarize", "s", "--store", "--keep", "2", "--dry-run", "--prefix", prefix]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("s: the summary folds in system message 1");
    expect(await app.llen(`${prefix}s`)).toBe(5);
    const yes = await cli(["summarize", "s", "--store", "--keep", "2", "--yes", "--json", "--prefix", prefix]);
    expect(yes.code).toBe(0);
    expect(yes.stderr).toContain("s: the summary folds in system message 1");
    expect(await app.llen(`${prefix}s`)).toBe(3);
  });

  it("a prefix without its separator is pointed out; so is a pattern that matched only other types", async () => {
    const base = uniqueId("sep");
    await app.lpush(`${base}:py-session-1`, msg("a"));
    await app.lpush(`${base}:py-session-2`, msg("b"));
    const r = await cli(["sessions", "list", "--prefix", base]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^:py-session-\d\t/);
    expect(r.stderr).toContain(`every id starts with ':': did you mean --prefix ${base}:?`);
    const right = await cli(["sessions", "list", "--prefix", `${base}:`]);
    expect(right.stderr).toBe("");
    const prefix = `${uniqueId("typ")}:`;
    await app.set(`${prefix}a-1`, "x");
    await app.hset(`${prefix}a-2`, "f", "v");
    const typed = await cli(["sessions", "list", "a-*", "--prefix", prefix]);
    expect(typed.code).toBe(0);
    expect(typed.stdout).toBe("");
    expect(typed.stderr).toMatch(
      /2 keys match 'a-\*' but are not chat histories \(a-[12]: a (string|hash), a-[12]: a (string|hash)\)/,
    );
  });

  it('the no-prefix near miss says how to reach it (--prefix "")', async () => {
    const id = `np-${uniqueId("x").replace(/[^a-z0-9]/gi, "")}`;
    await app.lpush(id, msg("a"));
    const r = await cli(["history", "show", id, "--prefix", "p:"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`'${id}' (no prefix, 1 message; reach it with --prefix "")`);
    await app.del(id);
  });
});
