// The program: global flags, the command tree, and the one error handler.
// Command modules are small and import nothing heavy at load time, so
// `--help` and `--version` stay fast.
import { Command, CommanderError } from "commander";
import { createContext, type Context } from "./program/context.js";
import { processIO, stdoutIsTTY, useColor, type IO } from "./terminal/io.js";
import { CliError, ExitCode } from "./errors/errors.js";
import { redact } from "./errors/secrets.js";
import { sanitizeEcho } from "./text/sanitize.js";
import { VERSION } from "./program/version.js";
import { registerCommands } from "../commands/index.js";
import { commandWord, fitHelp, helpCommandArgs, showInheritedFlags, subcommandHint } from "./program/help.js";

const ROOT_EXAMPLES = `
Examples:
  $ upstash-memory dev --seed                      # local Upstash-compatible endpoint with sample chats
  $ upstash-memory sessions list                   # every conversation, its size and TTL
  $ upstash-memory history show user-42            # what the bot remembers for one session
  $ upstash-memory history show user-42 --json | jq '.messages[].content'
  $ upstash-memory append user-42 "remember: I prefer trains" --role user
  $ upstash-memory clear --match 'test-*' --dry-run

Connection (highest first): --url/--token, --profile NAME / UPSTASH_MEMORY_PROFILE,
UPSTASH_REDIS_REST_URL/UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_URL/KV_REST_API_TOKEN), the default profile.
A redis:// or rediss:// URL talks to Redis directly instead of over REST.

Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 auth/connection.`;

/** The program; with `argv`, only the command it names is built (see registerCommands). */
export function buildProgram(ctx: Context, argv?: string[]): Command {
  const program = new Command("upstash-memory")
    .description("Inspect and manage the chat histories AI apps keep in Upstash Redis (LangChain, Flowise).")
    .version(VERSION, "-V, --version", "print the version")
    .option("--url <url>", "REST URL (https://...) or redis:// / rediss:// URL")
    .option("--token <token>", "REST token (prefer the environment or a profile: flags show up in `ps`)")
    .option("-p, --profile <name>", "use a saved profile")
    .option("--prefix <prefix>", "key prefix in front of session ids (LangChain Python: message_store:)")
    .option("--timeout <duration>", "per-request timeout", "10s")
    .option("--stats", "print HTTP requests and Redis commands sent to stderr")
    .option("--debug", "log requests and show stack traces (tokens redacted)")
    .option(
      "--allow-partial",
      "on a Redis Cluster with masters down: list/export/--match what the reachable ones hold (skipped ones named on stderr) instead of failing",
    )
    .option("--no-color", "no colours")
    .option("--no-pager", "print long output straight to the terminal (else $UPSTASH_MEMORY_PAGER, $PAGER or less)")
    .showSuggestionAfterError(true)
    // Commands listed by name, as gh lists them: the descriptions keep room to
    // wrap within 80 columns (each command's own help shows its arguments).
    // A group with one subcommand is listed as the command people type (`sessions list`).
    .configureHelp({
      subcommandTerm: (c) => (c.commands.length === 1 ? `${c.name()} ${c.commands[0].name()}` : c.name()),
    })
    .addHelpText("after", ROOT_EXAMPLES);
  registerCommands(program, ctx, argv && commandWord(program, argv));
  return program;
}

/** Configure commander so usage problems throw instead of exiting the process. */
function applyErrorPolicy(cmd: Command, io: IO): void {
  cmd.exitOverride();
  cmd.configureOutput({
    // Help (and --version): laid out for the terminal's width, or 80 columns when piped.
    writeOut: (s) => {
      const text = fitHelp(s, (stdoutIsTTY(io) && io.stdout.columns) || 80);
      return io.writeOutSync ? io.writeOutSync(text) : io.stdout.write(text);
    },
    // Commander's defaults ask process.stdout, which builds the stream (net and
    // stream modules on a pipe) just to learn that a pipe is not a terminal.
    getOutHelpWidth: () => (stdoutIsTTY(io) && io.stdout.columns) || 80,
    getOutHasColors: () => stdoutIsTTY(io) && useColor(io.stdout, io.env),
    // Commander's own messages ("error: unknown option '--x'"): one line on stderr.
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) =>
      write(
        `upstash-memory: ${sanitizeEcho(
          s
            .replace(/^error: /, "")
            .trim()
            .replace(/\s*\n\s*/g, " "),
        )}\n`,
      ),
  });
  showInheritedFlags(cmd);
  for (const sub of cmd.commands) applyErrorPolicy(sub, io);
}

export async function main(argv: string[], io: IO = processIO()): Promise<number> {
  const ctx = createContext(io);
  // `help ...` names no command: the whole tree is built, which it then reads.
  const program = buildProgram(ctx, argv);
  argv = helpCommandArgs(program, argv);
  applyErrorPolicy(program, io);
  const debug = argv.includes("--debug");
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (
      err instanceof CommanderError &&
      err.code === "commander.unknownCommand" &&
      !/did you mean/i.test(err.message)
    ) {
      const hint = subcommandHint(program, argv);
      if (hint) io.stderr.write(`  ${hint}\n`);
    }
    return reportError(err, io, debug);
  }
}

export function reportError(err: unknown, io: IO, debug: boolean): number {
  if (err instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    if (err.exitCode === 0 || err.code === "commander.helpDisplayed" || err.code === "commander.version") {
      return ExitCode.ok;
    }
    if (err.code === "commander.help") return ExitCode.ok;
    return ExitCode.usage;
  }
  if (err instanceof CliError) {
    // Messages echo arguments and keys: escaped like stored data.
    io.stderr.write(redact(`upstash-memory: ${sanitizeEcho(err.message)}\n`));
    if (err.hint) io.stderr.write(redact(`  ${sanitizeEcho(err.hint)}\n`));
    if (debug && err.stack) io.stderr.write(`${redact(err.stack)}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  io.stderr.write(redact(`upstash-memory: unexpected error: ${sanitizeEcho(e?.message ?? String(err))}\n`));
  if (debug && e?.stack) io.stderr.write(`${redact(e.stack)}\n`);
  else io.stderr.write("  run again with --debug for details\n");
  return ExitCode.failure;
}
