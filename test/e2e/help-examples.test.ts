// Every `$ ` line of every --help must paste into a shell and run a real
// command: the upstash-memory invocation names an existing command and
// subcommand, options that command (or a parent) knows, and a number of
// arguments it accepts. Environment variables may only stand before the
// invocation (VAR=value upstash-memory ...), other programs only in a
// pipeline with it (echo ... | upstash-memory ...).
import { describe, expect, it } from "vitest";
import { parse, type ParseEntry } from "shell-quote";
import type { Command, Option } from "commander";
import { buildProgram } from "../../src/cli.js";
import { createContext } from "../../src/program/context.js";
import { runCli } from "../harness/cli.js";

const NAME = "upstash-memory";
const ENV_ASSIGNMENT = /^[A-Z_][A-Z0-9_]*=\S+$/;
const SEPARATORS = new Set(["|", "&&", "||", ";"]);
const REDIRECTS = new Set(["<", ">", ">>", "2>", "&>"]);

function program(): Command {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  return buildProgram(createContext({ stdin: process.stdin, stdout: sink, stderr: sink, env: {} } as never));
}

/** Every command path: [], ["sessions"], ["sessions", "list"], ... */
function commandPaths(cmd: Command, path: string[] = []): string[][] {
  return [path, ...cmd.commands.flatMap((c) => commandPaths(c, [...path, c.name()]))];
}

function findOption(chain: Command[], flag: string): Option | undefined {
  for (const c of [...chain].reverse()) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o;
    if (flag === "-h" || flag === "--help") return { required: false, optional: false } as Option;
  }
  return undefined;
}

/** Why one `upstash-memory ...` invocation would not run as written, or undefined. */
function checkInvocation(root: Command, words: string[]): string | undefined {
  const chain = [root];
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const cmd = chain[chain.length - 1];
    if (w.startsWith("-") && w !== "-") {
      const flag = w.split("=")[0];
      const opt = findOption(chain, flag);
      if (!opt)
        return `unknown option ${flag} for '${
          chain
            .slice(1)
            .map((c) => c.name())
            .join(" ") || NAME
        }'`;
      if (flag === "-h" || flag === "--help") help = true;
      if ((opt.required || opt.optional) && !w.includes("=")) {
        if (opt.required && (i + 1 >= words.length || words[i + 1].startsWith("-")))
          return `option ${flag} needs a value`;
        if (opt.required || (i + 1 < words.length && !words[i + 1].startsWith("-"))) i++;
      }
      continue;
    }
    if (cmd.commands.length && !positional.length) {
      const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
      if (!sub) return `'${w}' is not a command of '${chain.map((c) => c.name()).join(" ")}'`;
      chain.push(sub);
      continue;
    }
    positional.push(w);
  }
  const cmd = chain[chain.length - 1];
  if (help) return undefined;
  if (cmd.commands.length && chain.length > 1) return `'${chain.map((c) => c.name()).join(" ")}' needs a subcommand`;
  const args = cmd.registeredArguments;
  const required = args.filter((a) => a.required).length;
  const variadic = args.some((a) => a.variadic);
  if (positional.length < required) return `'${cmd.name()}' needs ${required} argument(s), got ${positional.length}`;
  if (!variadic && positional.length > args.length)
    return `'${cmd.name()}' takes at most ${args.length} argument(s), got ${positional.length}`;
  return undefined;
}

/** Why an example line would not paste and run, or undefined when it would. */
function checkExampleLine(root: Command, line: string): string | undefined {
  const tokens = parse(line).filter((t) => !(typeof t === "object" && "comment" in t));
  const segments: string[][] = [[]];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as ParseEntry;
    if (typeof t === "string") segments[segments.length - 1].push(t);
    else if ("op" in t && SEPARATORS.has(t.op)) segments.push([]);
    else if ("op" in t && REDIRECTS.has(t.op)) {
      if (typeof tokens[i + 1] !== "string") return `redirection ${t.op} without a file`;
      i++;
    } else if ("op" in t && t.op === "glob") segments[segments.length - 1].push((t as { pattern: string }).pattern);
    else return `shell syntax the example should not need: ${JSON.stringify(t)}`;
  }
  let invocations = 0;
  for (const words of segments) {
    if (!words.length) return "an empty command in the line";
    let at = 0;
    while (at < words.length && ENV_ASSIGNMENT.test(words[at])) at++;
    if (words[at] === NAME) {
      invocations++;
      const why = checkInvocation(root, words.slice(at + 1));
      if (why) return why;
    } else {
      if (at > 0) return `environment variables before '${words[at]}', not before ${NAME}`;
      if (words.includes(NAME)) return `'${NAME}' appears as an argument of '${words[0]}'`;
    }
  }
  return invocations ? undefined : `no ${NAME} command in the line`;
}

describe("help examples", () => {
  const root = program();

  it("the checker rejects the lines that used to be in the help", () => {
    expect(checkExampleLine(root, "upstash-memory echo 'long text' | upstash-memory append user-42 -")).toMatch(
      /'echo' is not a command/,
    );
    expect(checkExampleLine(root, "upstash-memory gunzip -c support.jsonl.gz | upstash-memory import -")).toMatch(
      /'gunzip' is not a command/,
    );
    expect(checkExampleLine(root, "upstash-memory OPENAI_API_KEY=... upstash-memory summarize user-42")).toMatch(
      /not a command/,
    );
    expect(checkExampleLine(root, "upstash-memory sessions list --frob")).toMatch(/unknown option --frob/);
    expect(checkExampleLine(root, "upstash-memory history")).toMatch(/needs a subcommand/);
    expect(checkExampleLine(root, "upstash-memory import")).toMatch(/needs 1 argument/);
    expect(checkExampleLine(root, "echo hi | jq .")).toMatch(/no upstash-memory command/);
    expect(checkExampleLine(root, "OPENAI_API_KEY=x jq . | upstash-memory import -")).toMatch(
      /environment variables before 'jq'/,
    );
    expect(checkExampleLine(root, "OPENAI_API_KEY=sk-... upstash-memory summarize user-42 --model m")).toBeUndefined();
    expect(checkExampleLine(root, "echo 'long text' | upstash-memory append user-42 -")).toBeUndefined();
    expect(checkExampleLine(root, "upstash-memory --profile local sessions list")).toBeUndefined();
  });

  it("every `$ ` line of every --help is a command line that runs as pasted, and no line is wider than 80 columns", async () => {
    const paths = commandPaths(root);
    expect(paths.length).toBeGreaterThan(15);
    const bad: string[] = [];
    const wide: string[] = [];
    let lines = 0;
    for (const path of paths) {
      const r = await runCli([...path, "--help"]);
      expect({ path, code: r.code }).toEqual({ path, code: 0 });
      for (const line of r.stdout.split("\n")) {
        // Piped help is laid out for 80 columns, as on the narrowest usual terminal;
        // only a command too long to shorten may pass it (it is never broken: it must paste).
        if ([...line].length > 80 && !/^\s*\$ [^#]*$/.test(line))
          wide.push(`${[NAME, ...path].join(" ")} --help: ${line}`);
        const m = /^\s*\$ (.*)$/.exec(line);
        if (!m) continue;
        lines++;
        const why = checkExampleLine(root, m[1]);
        if (why) bad.push(`${[NAME, ...path].join(" ")} --help: "${m[1]}": ${why}`);
      }
    }
    expect(bad).toEqual([]);
    expect(wide).toEqual([]);
    expect(lines).toBeGreaterThan(40);
  });
});
