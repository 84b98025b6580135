import { Command } from "commander";
import type { Context } from "../src/program/context.js";
import { ExitCode } from "../src/errors/errors.js";
import { examples, flagRules } from "../src/program/options.js";

interface ExportOptions {
  match?: string;
  out?: string;
  force?: boolean;
}

export function exportCommand(ctx: Context): Command {
  return new Command("export")
    .description("export sessions as JSON Lines (raw elements, exactly as stored)")
    .argument("[sessionIds...]", "session ids (default: every session, or --match)")
    .option("--match <pattern>", "every session whose id matches the glob")
    .option("-o, --out <file>", "write to a file instead of stdout (whole or not at all; - is stdout)")
    .option("--force", "with --out: replace an existing file")
    .option("--json", "the output is already JSON Lines (accepted for consistency)")
    .addHelpText(
      "after",
      examples(
        "export > all.jsonl",
        "export user-42 user-43 -o two.jsonl",
        "export -o all.jsonl --force",
        "export --match 'support-*' | gzip > support.jsonl.gz",
      ) +
        '\nEach line: {"key","sessionId","ttlSeconds","elements":[...]} with elements newest first, as stored;\n' +
        'an element that is not valid UTF-8 is written as {"base64": "..."}, a key that is not as "keyBase64".\n',
    )
    .hook("preAction", flagRules({ exclusive: [["<sessionIds>", "--match"]], requires: { "--force": "--out" } }))
    .action(async (ids: string[], opts: ExportOptions, cmd: Command) => {
      const { validateSessionId } = await import("../src/sessions/keys.js");
      for (const [i, id] of ids.entries()) ids[i] = validateSessionId(id);
      const { checkOutputFile, writeExportFile } = await import("../src/transfer/write-file.js");
      // `--out -` is stdout, as `import -` is stdin.
      const file =
        opts.out !== undefined && opts.out !== "-"
          ? checkOutputFile(opts.out, { replace: opts.force, existsHint: "pass --force to replace it" })
          : undefined;
      const { withConnection } = await import("../src/program/connection.js");
      const { exportByPattern, exportPagesByPattern, exportKeys } = await import("../src/transfer/export.js");
      const { Output } = await import("../src/render/output.js");
      const { progress } = await import("../src/render/progress.js");
      const { plural, sessionLine, warnNoMatch } = await import("../src/render/writes.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      await withConnection(ctx, cmd, async ({ store, keys }) => {
        const report = { missing: [] as string[], notLists: [] as { key: string; type: string }[] };
        const lines = ids.length
          ? exportKeys(
              store,
              keys,
              ids.map((id) => keys.key(id)),
              report,
            )
          : exportByPattern(store, keys, { pattern: opts.match ?? "*" });
        const bar = progress(ctx.io);
        const tick = (n: number) => bar.update(`exported ${plural(n, "session")}…`);
        let n = 0;
        if (file) {
          n = await writeExportFile(file, lines, tick);
        } else if (!ids.length) {
          // A page (one round trip) per write.
          for await (const page of exportPagesByPattern(store, keys, { pattern: opts.match ?? "*" })) {
            await out.ndjsonLines(page, (l) => l);
            tick((n += page.length));
          }
        } else {
          for await (const l of lines) {
            await out.ndjson(l);
            tick(++n);
          }
        }
        bar.done();
        const { missingNotes } = await import("../src/sessions/near-miss.js");
        for (const [id, note] of await missingNotes(
          store,
          keys,
          report.missing.map((k) => keys.sessionId(k)),
        ))
          out.warn(sessionLine(id, note));
        for (const k of report.notLists)
          out.warn(sessionLine(keys.sessionId(k.key), `a ${k.type}, not a chat history: skipped`));
        if (opts.match !== undefined && n === 0) warnNoMatch(out, opts.match);
        else out.warn(`exported ${plural(n, "session")}${file && n ? ` to ${file.path}` : ""}`);
        if (report.missing.length) process.exitCode = ExitCode.notFound;
        else if (report.notLists.length) process.exitCode = ExitCode.failure;
      });
    });
}
