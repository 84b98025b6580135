// Help, colours and completion as a shell user meets them.
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli, tempConfigDir } from "../harness/cli.js";
import { runInPty } from "../harness/pty.js";
import { Redis as IORedis } from "ioredis";
import { stack, startIsolatedStack } from "../harness/stack.js";
import { appRedis, connectionEnv, writeConversation } from "../harness/transports.js";

const msg = (type: string, content: string) => JSON.stringify({ type, data: { content } });

let app: IORedis;
let prefix: string;
beforeAll(async () => {
  app = appRedis();
  prefix = `sh${randomUUID().slice(0, 8)}:`;
  await writeConversation(app, `${prefix}alpha-1`, [msg("human", "hello"), msg("ai", "hi there")]);
  await writeConversation(app, `${prefix}alpha-2`, [msg("human", "bonjour")]);
  await writeConversation(app, `${prefix}beta`, [msg("human", "hallo")]);
});
afterAll(() => app.quit());

const SUBCOMMANDS = [
  ["sessions", "list"],
  ["history", "show"],
  ["append"],
  ["expire"],
  ["clear"],
  ["export"],
  ["import"],
  ["doctor"],
  ["summarize"],
  ["login"],
  ["logout"],
  ["config", "list"],
  ["config", "set"],
  ["dev"],
  ["completion"],
];

describe("help", () => {
  it("every subcommand's help lists the inherited global flags", async () => {
    for (const sub of SUBCOMMANDS) {
      const r = await runCli([...sub, "--help"]);
      expect(r.code, sub.join(" ")).toBe(0);
      const inherited = r.stdout.slice(r.stdout.indexOf("Inherited Options:"));
      expect(r.stdout, sub.join(" ")).toContain("Inherited Options:");
      const own = r.stdout.slice(0, r.stdout.indexOf("Inherited Options:"));
      for (const flag of ["--url", "--token", "--profile", "--prefix", "--timeout", "--no-color", "--no-pager"]) {
        // A flag the subcommand defines itself (dev --token: the endpoint's
        // token) is listed once, with its own meaning, not again as inherited.
        const shadowed = new RegExp(`^\\s+${flag}(?![\\w-])`, "m").test(own);
        expect(shadowed ? own : inherited, `${sub.join(" ")} ${flag}`).toContain(flag);
        if (shadowed)
          expect(inherited, `${sub.join(" ")} ${flag} listed twice`).not.toMatch(new RegExp(`${flag}(?![\\w-])`));
      }
    }
  });

  it("a group name followed by an id suggests the subcommand", async () => {
    const r = await runCli(["history", "user-42", "--last", "3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'user-42'");
    expect(r.stderr).toContain("did you mean: upstash-memory history show user-42 --last 3");
    const s = await runCli(["--prefix", "x:", "sessions", "user-*"]);
    expect(s.stderr).toContain("did you mean: upstash-memory --prefix x: sessions list 'user-*'");
    const typo = await runCli(["history", "shwo", "x"]);
    expect(typo.stderr).toMatch(/Did you mean show\?/);
    expect(typo.stderr).not.toContain("did you mean: upstash-memory");
  });
});

describe("colours", () => {
  const env = () => connectionEnv("rest");
  it("no escape sequence at all under TERM=dumb", async () => {
    for (const args of [
      ["sessions", "list"],
      ["history", "show", "alpha-1"],
      ["history", "show", "alpha-1", "--format", "text"],
      ["doctor", "alpha-1"],
    ]) {
      const r = await runInPty([...args, "--prefix", prefix], [], { env: { ...env(), TERM: "dumb" }, columns: 80 });
      expect(r.screen, args.join(" ")).toMatch(/alpha-1|hello/);
      expect(r.screen, args.join(" ")).not.toContain("\u001b");
    }
  });

  it("FORCE_COLOR colours piped output; --no-color and NO_COLOR win over it; piped output has none by default", async () => {
    const args = ["history", "show", "alpha-1", "--prefix", prefix, "--format", "text"];
    const forced = await runCli(args, { env: { ...env(), NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.stdout).toMatch(/\u001b\[3\dm/);
    const flag = await runCli([...args, "--no-color"], { env: { ...env(), NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(flag.stdout).not.toContain("\u001b");
    const noColor = await runCli(args, { env: { ...env(), NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(noColor.stdout).not.toContain("\u001b");
    const piped = await runCli(args, { env: { ...env(), NO_COLOR: undefined } });
    expect(piped.stdout).not.toContain("\u001b");
  });
});

describe("completion", () => {
  const shells = ["bash", "zsh", "fish"] as const;
  const installed = (sh: string) => spawnSync("sh", ["-c", `command -v ${sh}`]).status === 0;

  for (const sh of shells) {
    it.skipIf(!installed(sh))(`the ${sh} script is accepted by \`${sh} -n\``, async () => {
      const r = await runCli(["completion", sh]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("upstash-memory complete --");
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-comp-")), `script.${sh}`);
      fs.writeFileSync(file, r.stdout);
      expect(() => execFileSync(sh, ["-n", file], { stdio: "pipe" })).not.toThrow();
    });
  }
  it("names the shells it could not check", () => {
    const missing = shells.filter((s) => !installed(s));
    if (missing.length)
      console.warn(`completion: ${missing.join(", ")} not installed here: their scripts were not checked with -n`);
    expect(missing).not.toContain("bash");
  });

  it("bash completes through the script, with or without the bash-completion package", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-bash-"));
    fs.writeFileSync(path.join(dir, "upstash-memory"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, {
      mode: 0o755,
    });
    const script = path.join(dir, "completion.bash");
    fs.writeFileSync(script, (await runCli(["completion", "bash"])).stdout);
    const reply = (words: string[]) =>
      execFileSync(
        "bash",
        [
          "-c",
          `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; __upstash_memory_complete 2>/dev/null; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        {
          env: {
            PATH: `${dir}:${process.env.PATH}`,
            HOME: tempConfigDir(),
            UPSTASH_MEMORY_CONFIG_DIR: tempConfigDir(),
          },
          encoding: "utf8",
        },
      )
        .trim()
        .split("\n");
    expect(reply(["upstash-memory", "hist"])).toEqual(["history"]);
    expect(reply(["upstash-memory", "sessions", "list", "--sort", ""])).toEqual(["name", "count", "ttl", "tokens"]);
  });

  it("--help says how to install it", async () => {
    const r = await runCli(["completion", "--help"]);
    expect(r.stdout).toMatch(/completion bash > /);
    expect(r.stdout).toMatch(/completion zsh/);
    expect(r.stdout).toMatch(/completions\/upstash-memory\.fish/);
  });

  const complete = async (words: string[], env: Record<string, string | undefined> = {}, configDir?: string) => {
    const r = await runCli(["complete", "--", ...words], { env, configDir });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    return { values: lines.slice(0, -1).map((l) => l.split("\t")[0]), directive: lines[lines.length - 1] };
  };

  it("commands, subcommands, flags (the global ones too) and flag values", async () => {
    expect((await complete([""])).values).toEqual(
      expect.arrayContaining(["sessions", "history", "clear", "completion", "doctor"]),
    );
    expect((await complete(["history", ""])).values).toEqual(["show"]);
    expect((await complete(["history", "show", "--f"])).values).toEqual(
      expect.arrayContaining(["--format", "--first", "--follow", "--for"]),
    );
    expect((await complete(["sessions", "list", "--pr"])).values).toEqual(
      expect.arrayContaining(["--prefix", "--profile"]),
    );
    expect((await complete(["sessions", "list", "--sort", ""])).values).toEqual(["name", "count", "ttl", "tokens"]);
    expect((await complete(["history", "show", "x", "--format", ""])).values).toEqual([
      "table",
      "json",
      "ndjson",
      "markdown",
      "text",
    ]);
    expect((await complete(["append", "x", "--role", ""])).values).toEqual([
      "user",
      "assistant",
      "system",
      "tool",
      "human",
      "ai",
    ]);
    expect((await complete(["config", "set", ""])).values).toContain("llm.model");
    // A path: the shell completes files itself.
    expect((await complete(["clear", "--backup", ""])).directive).toBe(":0");
  });

  it("profile names", async () => {
    const dir = tempConfigDir();
    for (const p of ["work", "home"])
      expect((await runCli(["login", "--profile", p, "--url", stack().redisUrl], { configDir: dir })).code).toBe(0);
    expect((await complete(["--profile", ""], {}, dir)).values).toEqual(["home", "work"]);
    expect((await complete(["config", "use", ""], {}, dir)).values).toEqual(["home", "work"]);
  });

  it("session ids from the configured connection, and silently nothing without one", async () => {
    // A store of its own: one SCAN request looks at a bounded number of keys.
    const own = await startIsolatedStack();
    try {
      const r = new IORedis(own.redisUrl);
      for (const id of ["alpha-1", "alpha-2", "beta"]) await r.lpush(`${prefix}${id}`, msg("human", "x"));
      await r.set(`${prefix}alpha-string`, "not a chat");
      await r.quit();
      // The 300 ms budget is for people; a busy test machine gets more time.
      const env = {
        UPSTASH_REDIS_REST_URL: own.restUrl,
        UPSTASH_REDIS_REST_TOKEN: own.restToken,
        UPSTASH_MEMORY_COMPLETION_MS: "20000",
      };
      expect((await complete(["--prefix", prefix, "history", "show", "al"], env)).values).toEqual([
        "alpha-1",
        "alpha-2",
      ]);
      expect((await complete(["clear", "--prefix", prefix, "alpha-1", ""], env)).values).toEqual([
        "alpha-1",
        "alpha-2",
        "beta",
      ]);
    } finally {
      await own.close();
    }
    const none = await runCli(["complete", "--", "history", "show", "al"]);
    expect(none.code).toBe(0);
    expect(none.stderr).toBe("");
    expect(none.stdout.trim()).toBe(":4");
  });
});
