import { Command } from "commander";
import type { Context } from "../src/program/context.js";
import { ExitCode } from "../src/errors/errors.js";
import { examples, flagRules, nonNegativeInt, positiveInt } from "../src/program/options.js";
import { addTokenFlags, modelOf, type TokenFlags } from "../src/tokens/flags.js";

interface TrimOptions extends TokenFlags {
  match?: string;
  keep?: number;
  keepSystem: boolean;
  yes?: boolean;
  dryRun?: boolean;
  backup?: string;
  json?: boolean;
}

export function trimCommand(ctx: Context): Command {
  const trim = new Command("trim")
    .description("drop the oldest messages: keep the newest N, or the newest that fit T tokens")
    .argument("[sessionId]", "the session id (or --match)")
    .option("--match <pattern>", "every session whose id matches the glob")
    .option("--keep <n>", "keep the newest N messages", nonNegativeInt)
    .option("--max-tokens <t>", "keep the newest messages that fit T tokens (overhead included)", positiveInt)
    .option("--no-keep-system", "drop a leading system message or stored summary too (kept and counted by default)")
    .option("-y, --yes", "do not ask (required when not on a terminal)")
    .option("--dry-run", "show what would be dropped, change nothing")
    .option("--backup <file>", "save the dropped messages first (export's JSONL)")
    .option("--json", "JSON {trimmed:[{sessionId,before,after,droppedTokens}]}");
  return addTokenFlags(trim)
    .addHelpText(
      "after",
      `${examples(
        "trim user-42 --keep 40 --dry-run",
        "trim user-42 --max-tokens 8000 --model gpt-4o-mini --backup old.jsonl --yes",
        "trim --match 'support-*' --keep 20 --yes --json",
      )}\nMessages the app stores while trim runs are kept: each session is trimmed only at its oldest end,\nand only if that end is still what was read.\n`,
    )
    .hook(
      "preAction",
      flagRules({
        oneOf: [
          [["<sessionId>", "--match"], "upstash-memory trim <sessionId> or --match PATTERN"],
          [["--keep", "--max-tokens"], "upstash-memory trim <sessionId> --keep N or --max-tokens T"],
        ],
      }),
    )
    .action(async (sessionId: string | undefined, opts: TrimOptions, cmd: Command) => {
      const { validateSessionId } = await import("../src/sessions/keys.js");
      if (sessionId !== undefined) validateSessionId(sessionId);
      const { checkBackupFile, writeExportFile } = await import("../src/transfer/write-file.js");
      const backup = opts.backup !== undefined ? checkBackupFile(opts.backup) : undefined;
      const { withConnection } = await import("../src/program/connection.js");
      const { counterFor, tokensSummary } = await import("../src/tokens/count.js");
      const t = await import("../src/tokens/trim.js");
      const { renderTrim, planNote } = await import("../src/render/trim.js");
      const { Output } = await import("../src/render/output.js");
      const r = await import("../src/render/writes.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      await withConnection(ctx, cmd, async ({ store, keys, resolved }) => {
        const req = { keep: opts.keep, maxTokens: opts.maxTokens, keepSystem: opts.keepSystem };
        if (!opts.dryRun) {
          const { requireConsent } = await import("../src/terminal/prompts.js");
          requireConsent(ctx.io, "trim sessions", opts.yes);
        }
        let ids: string[];
        if (opts.match !== undefined) {
          const { targetsByPattern } = await import("../src/write/targets.js");
          ids = (await targetsByPattern(store, keys, opts.match)).map((x) => x.sessionId).sort();
          if (!ids.length) {
            r.warnNoMatch(out, opts.match);
            if (opts.json) await out.json({ trimmed: [], changed: [] });
            return;
          }
        } else ids = [sessionId!];
        const counter = await counterFor(modelOf(opts.model, resolved.profile), opts.context);
        const model = tokensSummary(counter.choice, 0);
        const plans = await t.readTrims(store, keys, ids, counter, req);
        const changing = plans.filter((p) => p.drop > 0);
        if (opts.dryRun) {
          r.warnWouldBackUp(out, changing.length, backup?.path);
          const result = { trimmed: changing.map((p) => t.trimmedOf(p)), changed: [], dryRun: true };
          await renderTrim(out, plans, result, model, Boolean(opts.json));
          return;
        }
        if (changing.length) {
          const { confirmChanges } = await import("../src/terminal/prompts.js");
          await confirmChanges(ctx.io, {
            question: `trim ${r.plural(changing.length, "session")}?`,
            changes: changing.map((p) => ({
              sessionId: p.sessionId,
              count: p.before,
              note: planNote(p, model.estimated),
            })),
            yes: opts.yes,
          });
          if (backup) {
            const { droppedLines } = await import("../src/tokens/trim.js");
            await writeExportFile(backup, droppedLines(changing));
            out.warn(`backed up the dropped messages of ${r.plural(changing.length, "session")} to ${backup.path}`);
          }
        }
        const result = await t.applyTrims(store, plans);
        for (const id of result.changed)
          out.warn(r.sessionLine(id, "changed at its oldest end since it was read: not trimmed; run again"));
        await renderTrim(out, plans, result, model, Boolean(opts.json));
        if (result.changed.length) process.exitCode = ExitCode.failure;
      });
    });
}
