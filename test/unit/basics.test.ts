import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration, parseDurationMs } from "../../src/duration/duration.js";
import { VERSION } from "../../src/program/version.js";
import { maskToken, redact, registerSecret } from "../../src/errors/secrets.js";
import { KeySpace } from "../../src/sessions/keys.js";
import { distance } from "fastest-levenshtein";
import { nearMissCandidates, scoreKey } from "../../src/sessions/near-miss.js";
import { groupDigits, plural } from "../../src/text/plural.js";
import { buildProgram } from "../../src/cli.js";
import { createContext } from "../../src/program/context.js";
import { commandWord as wordIn, fitHelp } from "../../src/program/help.js";

describe("durations", () => {
  it("parses what users type", () => {
    expect(parseDuration("3600")).toBe(3600);
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("30m")).toBe(1800);
    expect(parseDuration("12h")).toBe(43200);
    expect(parseDuration("7d")).toBe(604800);
    expect(parseDuration("1d12h")).toBe(129600);
    for (const bad of ["0", "-5", "soon", "", "1.5h", "99999999999"]) expect(() => parseDuration(bad)).toThrow();
  });
  it("one grammar for every duration: ms too, parts add up, TTLs whole seconds", () => {
    expect(parseDurationMs("500ms")).toBe(500);
    expect(parseDurationMs("1s500ms")).toBe(1500);
    expect(parseDurationMs("2s")).toBe(2000);
    expect(parseDurationMs("90")).toBe(90_000);
    expect(parseDurationMs("1m30s")).toBe(90_000);
    expect(parseDuration("2000ms")).toBe(2);
    expect(() => parseDuration("500ms")).toThrow(/whole seconds/);
    for (const bad of ["0ms", "ms", "5 ms", "1.5s", "soon"]) expect(() => parseDurationMs(bad)).toThrow();
  });
  it("formats the two largest units", () => {
    expect(formatDuration(604799)).toBe("6d 23h");
    expect(formatDuration(90)).toBe("1m 30s");
    expect(formatDuration(0)).toBe("0s");
  });
});

describe("secrets", () => {
  it("masks and redacts registered tokens and URL passwords", () => {
    expect(maskToken("AXabcdefghijk3kQ")).toBe("AX••••••3kQ");
    registerSecret("super-secret-token-123");
    expect(redact("Bearer super-secret-token-123 failed")).toBe("Bearer su••••••123 failed");
    expect(redact("redis://default:hunter22@host:6379")).toBe("redis://default:••••@host:6379");
  });
});

describe("keys", () => {
  it("adds and strips the prefix; escapes it in patterns", () => {
    const k = new KeySpace("message_store:");
    expect(k.key("abc")).toBe("message_store:abc");
    expect(k.sessionId("message_store:abc")).toBe("abc");
    expect(new KeySpace("a*[b]").match("x*")).toBe("a\\*\\[b\\]x*");
  });
  it("near-miss candidates cover prefix, case and whitespace", () => {
    const keys = nearMissCandidates(" User-1 ", new KeySpace(""));
    expect(keys).toEqual(
      expect.arrayContaining(["message_store: User-1 ", "User-1", "user-1", "USER-1", "message_store:User-1"]),
    );
  });
  it("near misses: prefix, case, whitespace, typos, contains; one wording for all", () => {
    const none = new KeySpace("");
    const reason = (key: string, id: string, k = none) => scoreKey(key, id, k, distance)?.reason;
    expect(reason("user-42", "user-43")).toBe("1 character different");
    expect(reason("User-42", "user-42")).toBe("other case");
    expect(reason("user-42\n", "user-42")).toBe("surrounding whitespace");
    expect(reason("message_store:user-42", "user-42")).toBe("prefix message_store:");
    expect(reason("chat:user-42:main", "user-42")).toBe("contains the id");
    expect(reason("user-42", "app:user-42")).toBe("part of the id");
    expect(reason("user-42", "user-42", new KeySpace("p:"))).toBe("no prefix");
    expect(reason("user-99", "user-42")).toBeUndefined();
    expect(reason("ab", "xy")).toBeUndefined();
    expect(reason("user-42", "user-42")).toBeUndefined();
  });
});

describe("version", () => {
  it("matches package.json", () => {
    expect(VERSION).toBe(JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
  });
});

describe("counts", () => {
  it("group digits exactly as toLocaleString('en-US') does, without loading ICU", () => {
    const samples = [0, 1, 12, 999, 1000, 1001, 99_999, 100_000, 1_234_567, 1e15, Number.MAX_SAFE_INTEGER];
    for (const n of [...samples, ...samples.slice(1).map((x) => -x), 0.5, 1234.5678, 1e21])
      expect(groupDigits(n)).toBe(n.toLocaleString("en-US"));
    expect(plural(1, "message")).toBe("1 message");
    expect(plural(1204, "message")).toBe("1,204 messages");
  });
});

describe("the command named on the command line", () => {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const program = buildProgram(createContext({ stdin: process.stdin, stdout: sink, stderr: sink, env: {} } as never));
  const commandWord = (argv: string[]) => wordIn(program, argv);
  it("skips global flags and their values", () => {
    expect(commandWord(["history", "show", "x"])).toBe("history");
    expect(commandWord(["--profile", "history", "sessions", "list"])).toBe("sessions");
    expect(commandWord(["-p", "local", "--stats", "append", "id", "hi"])).toBe("append");
    expect(commandWord(["--url=redis://h", "--prefix", "p:", "expire"])).toBe("expire");
    expect(commandWord(["--help"])).toBeUndefined();
    expect(commandWord(["--", "history"])).toBeUndefined();
  });
});

describe("help laid out for the width", () => {
  const examples = [
    "Examples:",
    "  $ upstash-memory sessions list          # every conversation",
    "  $ upstash-memory doctor x    # why",
  ].join("\n");
  it("keeps what fits as written", () => {
    expect(fitHelp(examples, 80)).toBe(examples);
  });
  it("moves every comment of a run of examples above its command when one does not fit", () => {
    expect(fitHelp(examples, 50).split("\n")).toEqual([
      "Examples:",
      "  # every conversation",
      "  $ upstash-memory sessions list",
      "  # why",
      "  $ upstash-memory doctor x",
    ]);
  });
  it("reflows a note as one paragraph, and never breaks a command", () => {
    const note = "A first line of a note that is long enough\nto wrap, and its second line.";
    expect(fitHelp(note, 30).split("\n")).toEqual([
      "A first line of a note that is",
      "long enough to wrap, and its",
      "second line.",
    ]);
    const command = "  $ upstash-memory completion bash > ~/.local/share/bash-completion/completions/upstash-memory";
    expect(fitHelp(command, 40)).toBe(command);
    expect(fitHelp(`  bash ${command.trim()}`, 40)).toBe(`  bash ${command.trim()}`);
  });
});
