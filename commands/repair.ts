import { Command } from "commander";
import type { Target } from "../src/write/targets.js";
import type { Context } from "../src/program/context.js";
import { ExitCode } from "../src/errors/errors.js";
import { examples, flagRules } from "../src/program/options.js";

interface RepairOptions {
  match?: string;
  invisible?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  backup?: string;
  json?: boolean;
}

export function repairCommand(ctx: Context): Command {
  return new Command("repair")
    .description(
      "make a session its app cannot load loadable again: remove (or unwrap) the elements that break loading",
    )
    .argument("[sessionIds...]", "session ids (without the prefix)")
    .option("--match <pattern>", "every session whose id matches the glob")
    .option("--invisible", "also the elements the reader drops without a word (plain text, JSON in a string, ...)")
    .option("--dry-run", "list what would change, change nothing")
    .option("-y, --yes", "do not ask (required when not on a terminal)")
    .option(
      "--backup <file>",
      "write the sessions as they were (export format: `import --replace FILE` undoes the repair)",
    )
    .option("--json", "JSON {sessions: [{sessionId, key, count, changes, status, length}], clean, missing}")
    .addHelpText(
      "after",
      examples(
        "repair user-42 --dry-run                     # what would change",
        "repair user-42 --backup user-42.jsonl         # asks, then repairs",
        "repair --match 'support-*' --invisible --yes",
        "repair abc --prefix message_store:            # a LangChain Python session",
      ) +
        "\nAn element that makes the app's reader throw (LangChain JS / Flowise, or LangChain Python under\n" +
        "message_store:) is removed; a valid message encoded twice (JSON in a string) is unwrapped instead.\n" +
        "Every other element stays as it is, in order, and messages the app stores meanwhile are kept.\n",
    )
    .hook(
      "preAction",
      flagRules({ oneOf: [[["<sessionIds>", "--match"], "upstash-memory repair <sessionId...> or --match PATTERN"]] }),
    )
    .action(async (ids: string[], opts: RepairOptions, cmd: Command) => {
      const { validateSessionId } = await import("../src/sessions/keys.js");
      for (const [i, id] of ids.entries()) ids[i] = validateSessionId(id);
      const { checkBackupFile, writeExportFile } = await import("../src/transfer/write-file.js");
      const backup = opts.backup !== undefined ? checkBackupFile(opts.backup) : undefined;
      const { withConnection } = await import("../src/program/connection.js");
      const { listTargetsById, targetsByPattern } = await import("../src/write/targets.js");
      const { planRepairs } = await import("../src/repair/plan.js");
      const { applyRepairs } = await import("../src/repair/apply.js");
      const { confirmChanges } = await import("../src/terminal/prompts.js");
      const { Output } = await import("../src/render/output.js");
      const { progress } = await import("../src/render/progress.js");
      const { sessionLine, plural, warnNoMatch, warnWouldBackUp } = await import("../src/render/writes.js");
      const r = await import("../src/render/repair.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      await withConnection(ctx, cmd, async ({ store, keys }) => {
        let missing: string[] = [];
        let targets: Target[];
        if (opts.match !== undefined) targets = await targetsByPattern(store, keys, opts.match);
        else ({ targets, missing } = await listTargetsById(store, keys, ids, "nothing to repair"));
        const { plans, clean, gone } = await planRepairs(store, keys, targets, { invisible: Boolean(opts.invisible) });
        missing.push(...gone);
        const { missingNotes } = await import("../src/sessions/near-miss.js");
        for (const [id, note] of await missingNotes(store, keys, missing)) out.warn(sessionLine(id, note));
        const notFound = () => {
          if (missing.length) process.exitCode = ExitCode.notFound;
        };
        const cleanNote = clean.length
          ? `${plural(clean.length, "session")} ${clean.length === 1 ? "loads" : "load"} as ${clean.length === 1 ? "it is" : "they are"}`
          : "";

        if (opts.dryRun || !plans.length) {
          if (plans.length) {
            out.warn(`would ${r.describePlans(plans)}${cleanNote ? ` (${cleanNote})` : ""}`);
            warnWouldBackUp(out, plans.length, backup?.path);
          } else if (targets.length)
            out.warn(
              `nothing to repair: ${cleanNote}${opts.invisible ? "" : " (--invisible also takes out the elements readers drop)"}`,
            );
          else if (opts.match !== undefined) warnNoMatch(out, opts.match);
          if (opts.json) await out.json(r.repairJson(plans.map(r.planJson), clean, missing, opts.dryRun));
          else await r.listChanges(out, plans);
          return notFound();
        }

        const changes = plans.map((p) => ({
          sessionId: p.sessionId,
          count: p.newestFirst.length,
          note: r.describeChanges(p.changes),
        }));
        await confirmChanges(ctx.io, {
          question: `${r.describePlans(plans)}?`,
          changes,
          yes: opts.yes,
          details: r.changeDetails(plans),
        });
        if (backup) {
          // The sessions exactly as they were read: the bytes the script checks before it changes anything.
          async function* lines() {
            for (const p of plans) yield p.line;
          }
          const n = await writeExportFile(backup, lines());
          out.warn(
            `backed up ${plural(n, "session")} to ${backup.path} (undo: upstash-memory import --replace ${backup.path})`,
          );
        }
        const bar = progress(ctx.io);
        const results = await applyRepairs(store, plans, (n) => bar.update(`repaired ${n}/${plans.length}…`));
        bar.done();
        if (opts.json) await out.json(r.repairJson(results.map(r.resultJson), clean, missing));
        else for (const res of results) out.warn(r.resultLine(res));
        if (results.some((res) => res.status === "changed")) process.exitCode = ExitCode.failure;
        notFound();
      });
    });
}
