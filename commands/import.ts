import { Command } from "commander";
import type { Context } from "../src/program/context.js";
import { ExitCode } from "../src/errors/errors.js";
import { examples, flagRules, shellLine } from "../src/program/options.js";

interface ImportOptions {
  replace?: boolean;
  merge?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function importCommand(ctx: Context): Command {
  return new Command("import")
    .description("restore sessions from an export (JSON Lines); existing sessions are skipped")
    .argument("<file>", "the export file, or - for stdin")
    .option("--replace", "replace existing sessions (atomically, one by one)")
    .option("--merge", "add the exported messages an existing session lacks, at its old end")
    .option("-y, --yes", "do not ask before --replace (required when not on a terminal)")
    .option("--dry-run", "check the file and report what the import would do (the same JSON), writing nothing")
    .option("--json", "JSON summary {written,skipped,notLists}")
    .addHelpText(
      "after",
      `${examples(
        "import all.jsonl",
        "import backup.jsonl --replace --yes",
        shellLine("gunzip -c support.jsonl.gz | upstash-memory import -"),
      )}\nEvery line is checked before anything is written; TTLs are restored.\n`,
    )
    .hook("preAction", flagRules({ exclusive: [["--replace", "--merge"]] }))
    .action(async (file: string, opts: ImportOptions, cmd: Command) => {
      const mode = opts.replace ? "replace" : opts.merge ? "merge" : "skip";
      const { openSource, exportLines } = await import("../src/transfer/read-file.js");
      const { checkImport, assertImportFits, importLines } = await import("../src/transfer/import.js");
      const source = await openSource(file, ctx.io.stdin);
      const check = await checkImport(exportLines(source));
      const { Output } = await import("../src/render/output.js");
      const { progress } = await import("../src/render/progress.js");
      const { plural, importReport } = await import("../src/render/writes.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      const { withConnection } = await import("../src/program/connection.js");
      await withConnection(ctx, cmd, async ({ store }) => {
        // The dry run and the real run take the same steps; only the last one differs.
        assertImportFits(check, store.transport);
        if (mode === "replace" && !opts.dryRun) {
          const { confirmChanges, requireConsent } = await import("../src/terminal/prompts.js");
          const question = `replace or create ${plural(check.sessions, "session")} (${plural(check.elements, "message")}), overwriting existing sessions?`;
          requireConsent(ctx.io, question, opts.yes);
          // Name the first sessions of the file, with the messages each will hold.
          const changes = [];
          if (!opts.yes) {
            for await (const l of exportLines(source)) {
              changes.push({ sessionId: l.sessionId, count: l.elements.length });
              if (changes.length === 10) break;
            }
          }
          await confirmChanges(ctx.io, { question, changes, total: check.sessions, yes: opts.yes });
        }
        const bar = progress(ctx.io);
        const verb = opts.dryRun ? "checked" : "imported";
        const results = await importLines(store, exportLines(source), mode, {
          dryRun: opts.dryRun,
          onProgress: (n) => bar.update(`${verb} ${n}/${check.sessions}…`),
        });
        bar.done();
        const report = importReport(results, mode, Boolean(opts.dryRun));
        for (const line of report.warnings) out.warn(line);
        if (opts.json) await out.json(report.json);
        out.warn(report.summary);
        if (report.json.notLists.length) process.exitCode = ExitCode.failure;
      });
    });
}
