import { Command } from "commander";
import type { Context } from "../src/context.js";
import { ExitCode, UsageError } from "../src/errors.js";
import { examples } from "../src/options.js";

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
    .option("--dry-run", "validate the file and say what would happen")
    .option("--json", "JSON summary {written,skipped,notLists}")
    .addHelpText(
      "after",
      examples("import all.jsonl", "import backup.jsonl --replace --yes", "gunzip -c support.jsonl.gz | upstash-memory import -") +
        "\nEvery line is checked before anything is written; TTLs are restored.\n",
    )
    .action(async (file: string, opts: ImportOptions, cmd: Command) => {
      if (opts.replace && opts.merge) throw new UsageError("choose one of --replace and --merge");
      const mode = opts.replace ? "replace" : opts.merge ? "merge" : "skip";
      const { openSource, validateSource, exportLines } = await import("../src/transfer/read-file.js");
      const source = await openSource(file, ctx.io.stdin);
      const totals = await validateSource(source);
      const { Output } = await import("../src/render/output.js");
      const { progress } = await import("../src/render/progress.js");
      const { plural } = await import("../src/render/writes.js");
      const { showBytes } = await import("../src/store/bytes.js");
      const { sanitizeLine } = await import("../src/render/sanitize.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      const what = `${mode === "replace" ? "replace or create" : mode === "merge" ? "merge into or create" : "create"} ${plural(totals.sessions, "session")} (${plural(totals.elements, "message")})`;
      if (opts.dryRun) {
        out.warn(`valid: would ${what}`);
        if (opts.json) await out.json({ valid: true, ...totals });
        return;
      }
      if (mode === "replace") {
        const { confirmChanges, requireConsent } = await import("../src/prompts.js");
        const question = `${what}, overwriting existing sessions?`;
        requireConsent(ctx.io, question, opts.yes);
        // Name the first sessions of the file, with the messages each will hold.
        const changes = [];
        if (!opts.yes) {
          for await (const l of exportLines(source)) {
            changes.push({ sessionId: l.sessionId, count: l.elements.length });
            if (changes.length === 10) break;
          }
        }
        await confirmChanges(ctx.io, { question, changes, total: totals.sessions, yes: opts.yes });
      }
      const { withConnection } = await import("../src/connection.js");
      const { importLines } = await import("../src/transfer/import.js");
      await withConnection(ctx, cmd, async ({ store }) => {
        const bar = progress(ctx.io);
        const results = await importLines(store, exportLines(source), mode, (n) => bar.update(`imported ${n}/${totals.sessions}…`));
        bar.done();
        const written = results.filter((x) => x.status === "written");
        const skipped = results.filter((x) => x.status === "skipped");
        const notLists = results.filter((x) => x.status === "not-a-list");
        for (const x of notLists) out.warn(`${sanitizeLine(x.key)}: exists and is not a chat history: left unchanged`);
        if (opts.json) await out.json({ written: written.map((x) => showBytes(x.key)), skipped: skipped.map((x) => showBytes(x.key)), notLists: notLists.map((x) => showBytes(x.key)) });
        out.warn(`imported ${plural(written.length, "session")}; skipped ${skipped.length} that already exist${skipped.length && mode === "skip" ? " (use --replace or --merge)" : ""}`);
        if (notLists.length) process.exitCode = ExitCode.failure;
      });
    });
}
