import { Command } from "commander";
import type { Context } from "../src/program/context.js";
import { examples } from "../src/program/options.js";

export function statsCommand(ctx: Context): Command {
  return new Command("stats")
    .description("what is in this memory: sessions, messages, roles, TTLs, sizes")
    .argument("[pattern]", "glob on session ids (after the prefix)", "*")
    .option(
      "--json",
      "{sessions, messages, byRole, unrecognized, messagesPerSession, ttl, bytes, bytesMeasure, largest, otherKeys}",
    )
    .addHelpText(
      "after",
      examples(
        "stats                                # every session under the prefix",
        "stats 'support-*'",
        "stats --json | jq .messagesPerSession",
      ) +
        "\nOne pass over the keys (a script counts each session where it is stored).\n" +
        "bytes is MEMORY USAGE of the keys, or the elements' size where MEMORY USAGE\n" +
        "is refused; bytesMeasure says which.\n",
    )
    .action(async (pattern: string, opts: { json?: boolean }, cmd: Command) => {
      const { withConnection } = await import("../src/program/connection.js");
      const { collectStats } = await import("../src/stats/stats.js");
      const { renderStats } = await import("../src/render/stats-report.js");
      const { Output } = await import("../src/render/output.js");
      const { progress } = await import("../src/render/progress.js");
      const { plural } = await import("../src/text/plural.js");
      const g = ctx.globals(cmd);
      const out = new Output(ctx.io, g.color, g.pager);
      const bar = progress(ctx.io);
      await withConnection(ctx, cmd, async ({ store, keys }) => {
        let report: import("../src/stats/stats.js").StatsReport;
        try {
          report = await collectStats(store, keys, {
            pattern,
            onProgress: (n) => bar.update(`counted ${plural(n, "key")}…`),
          });
        } finally {
          bar.done();
        }
        if (opts.json) await out.json(report);
        else await out.paged(() => renderStats(out, report));
      });
    });
}
