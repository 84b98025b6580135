import { Command } from "commander";
import type { Context } from "../src/program/context.js";
import { ExitCode } from "../src/errors/errors.js";
import { examples, flagRules } from "../src/program/options.js";
import { addTokenFlags, type TokenFlags } from "../src/tokens/flags.js";

interface DoctorOptions extends TokenFlags {
  flowiseSessionId?: string;
  json?: boolean;
  verbose?: boolean;
}

export function doctorCommand(ctx: Context): Command {
  const doctor = new Command("doctor")
    .description("find out why a bot forgot a conversation: connection, key, TTL, content and cost, one line each")
    .argument("[sessionId]", "the session to check (without the prefix); omitted: only the connection")
    .option(
      "--flowise-session-id <name>",
      "the Flowise memory node's own Session Id (default: the profile's flowise.sessionId)",
    )
    .option("--json", 'JSON {"checks":[{id,section,status,message,hint}]} with status pass|warn|fail|info')
    .option("-v, --verbose", "on a terminal: whole messages, with each check's id");
  return addTokenFlags(doctor, { limits: true })
    .addHelpText(
      "after",
      examples(
        "doctor                                   # is the connection right?",
        "doctor user-42                           # where did this conversation go?",
        "doctor abc --prefix message_store:       # a LangChain Python session",
        "doctor chat-7 --flowise-session-id bot   # which key each Flowise path reads",
        "doctor user-42 --model gpt-4o-mini --window 20   # what the model sees",
        "doctor --json | jq '.checks[] | select(.status==\"fail\")'",
      ) +
        "\nExit code 3 when the session does not exist, 1 when any other check failed (usable in CI), 0 otherwise;\n" +
        "connection problems are failed checks too. Elements that break loading: `upstash-memory repair <sessionId>`.\n",
    )
    .hook(
      "preAction",
      flagRules({
        exclusive: [["--window", "--max-tokens"]],
        requires: {
          "--model": "<sessionId>",
          "--context": "<sessionId>",
          "--window": "<sessionId>",
          "--max-tokens": "<sessionId>",
        },
      }),
    )
    .action(async (sessionIdArg: string | undefined, opts: DoctorOptions, cmd: Command) => {
      const { validateSessionId } = await import("../src/sessions/keys.js");
      const sessionId = sessionIdArg === undefined ? undefined : validateSessionId(sessionIdArg);
      const { timeoutMs, debugLogger } = await import("../src/program/connection.js");
      const { runDoctor } = await import("../src/doctor/run.js");
      const { renderDoctor } = await import("../src/render/doctor.js");
      const { Output } = await import("../src/render/output.js");
      const g = ctx.globals(cmd);
      const out = new Output(ctx.io, g.color, g.pager);
      const report = await runDoctor({
        ctx,
        globals: g,
        sessionId,
        flowiseSessionId: opts.flowiseSessionId,
        timeoutMs: timeoutMs(ctx, cmd),
        debug: debugLogger(ctx, cmd),
        context: { model: opts.model, context: opts.context, window: opts.window, maxTokens: opts.maxTokens },
      });
      await out.paged(() => renderDoctor(out, report.checks, Boolean(opts.json), Boolean(opts.verbose)));
      if (g.stats && report.stats) {
        const { statsLine } = await import("../src/render/stats.js");
        out.warn(statsLine(report.transport ?? "rest", report.stats));
      }
      if (report.notFound) process.exitCode = ExitCode.notFound;
      else if (report.failed) process.exitCode = ExitCode.failure;
    });
}
