import { Command } from "commander";
import type { Target } from "../src/write/targets.js";
import type { Context } from "../src/program/context.js";
import { ExitCode } from "../src/errors/errors.js";
import { examples, flagRules } from "../src/program/options.js";

interface ClearOptions {
  match?: string;
  yes?: boolean;
  dryRun?: boolean;
  backup?: string;
  json?: boolean;
}

export function clearCommand(ctx: Context): Command {
  return new Command("clear")
    .description("delete sessions (asks first; --backup saves them before)")
    .argument("[sessionIds...]", "session ids (without the prefix)")
    .option("--match <pattern>", "every session whose id matches the glob")
    .option("-y, --yes", "do not ask (required when not on a terminal)")
    .option("--dry-run", "show what would be deleted, delete nothing")
    .option("--backup <file>", "write an export of everything about to be deleted first")
    .option("--json", "JSON {deleted,changed,missing}")
    .addHelpText(
      "after",
      `${examples(
        "clear user-42",
        "clear --match 'test-*' --dry-run",
        "clear --match 'test-*' --backup tests.jsonl --yes",
      )}\nA session the app writes to after it was listed is kept (reported as changed): run again to delete it.\n`,
    )
    .hook(
      "preAction",
      flagRules({ oneOf: [[["<sessionIds>", "--match"], "upstash-memory clear <sessionId...> or --match PATTERN"]] }),
    )
    .action(async (ids: string[], opts: ClearOptions, cmd: Command) => {
      const { keyFields, validateSessionId } = await import("../src/sessions/keys.js");
      for (const [i, id] of ids.entries()) ids[i] = validateSessionId(id);
      const { checkBackupFile } = await import("../src/transfer/write-file.js");
      const backup = opts.backup !== undefined ? checkBackupFile(opts.backup) : undefined;
      const { withConnection } = await import("../src/program/connection.js");
      const { listTargetsById, targetsByPattern } = await import("../src/write/targets.js");
      const { unlinkUnchanged } = await import("../src/write/clear.js");
      const { confirmChanges } = await import("../src/terminal/prompts.js");
      const { Output } = await import("../src/render/output.js");
      const { progress } = await import("../src/render/progress.js");
      const r = await import("../src/render/writes.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      await withConnection(ctx, cmd, async ({ store, keys }) => {
        let targets: Target[];
        let missing: string[] = [];
        if (opts.match !== undefined) targets = await targetsByPattern(store, keys, opts.match);
        else ({ targets, missing } = await listTargetsById(store, keys, ids, "not deleting it"));
        const { missingNotes } = await import("../src/sessions/near-miss.js");
        for (const [id, note] of await missingNotes(store, keys, missing)) out.warn(r.sessionLine(id, note));
        if (opts.match !== undefined && !targets.length) {
          r.warnNoMatch(out, opts.match);
          if (opts.json)
            await out.json(opts.dryRun ? { wouldDelete: [], missing } : { deleted: [], changed: [], missing });
          return;
        }
        const what = r.describeTargets("delete", targets);
        if (opts.dryRun) {
          out.warn(`would ${what}`);
          r.warnWouldBackUp(out, targets.length, backup?.path);
          if (opts.json)
            await out.json({
              wouldDelete: targets.map((t) => ({ ...keyFields(t.sessionId, t.key), count: t.count })),
              missing,
            });
          else await r.listTargets(out, targets);
          if (missing.length) process.exitCode = ExitCode.notFound;
          return;
        }
        if (targets.length) {
          await confirmChanges(ctx.io, { question: `${what}?`, changes: targets, yes: opts.yes });
          if (backup) {
            const { backUpKeys } = await import("../src/transfer/export.js");
            const n = await backUpKeys(
              store,
              keys,
              backup,
              targets.map((t) => t.key),
            );
            out.warn(`backed up ${r.plural(n, "session")} to ${backup.path}`);
          }
          const bar = progress(ctx.io);
          const result = await unlinkUnchanged(store, targets, (n) => bar.update(`deleted ${n}/${targets.length}…`));
          bar.done();
          for (const t of result.changed)
            out.warn(
              r.sessionLine(t.sessionId, "changed since it was listed: kept (run the command again to delete it)"),
            );
          if (opts.json) await out.json(r.clearJson(result, missing));
          else out.warn(r.describeTargets("deleted", result.deleted).replace(/^deleted/, "deleted"));
          if (result.changed.length) process.exitCode = ExitCode.failure;
        } else if (!opts.json) out.warn("nothing to delete");
        else await out.json({ deleted: [], changed: [], missing });
        if (missing.length) process.exitCode = ExitCode.notFound;
      });
    });
}
