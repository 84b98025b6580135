import { Command, Option } from "commander";
import type { Context } from "../../src/context.js";
import { examples, flagRules, positiveInt } from "../../src/options.js";

export function sessionsListCommand(ctx: Context): Command {
  return new Command("list")
    .description("list chat sessions with their message count, TTL and newest message")
    .argument("[pattern]", "glob on session ids (after the prefix)", "*")
    .addOption(new Option("--sort <field>", "order by").choices(["name", "count", "ttl"]))
    .option("--limit <n>", "at most N sessions", positiveInt)
    .option("--json", "JSON array of {sessionId,key,count,ttlSeconds,last}")
    .option("--ndjson", "one JSON object per line, streamed as the scan goes")
    .addHelpText(
      "after",
      examples(
        "sessions list                       # table on a terminal, tab-separated when piped",
        "sessions list 'user-*' --sort count --limit 20",
        "sessions list --ndjson | jq -r 'select(.count > 100) | .sessionId'",
        "sessions list --prefix message_store:   # LangChain Python keys",
      ),
    )
    // --ndjson streams in scan order, so it cannot be sorted.
    .hook("preAction", flagRules({ exclusive: [["--json", "--ndjson"], ["--ndjson", "--sort"]] }))
    .action(async (pattern: string, opts: { sort?: "name" | "count" | "ttl"; limit?: number; json?: boolean; ndjson?: boolean }, cmd: Command) => {
      const { withConnection } = await import("../../src/connection.js");
      const { collectSessions, streamSessions } = await import("../../src/sessions/list.js");
      const { Output } = await import("../../src/render/output.js");
      const { progress } = await import("../../src/render/progress.js");
      const g = ctx.globals(cmd);
      const out = new Output(ctx.io, g.color, g.pager);
      const bar = progress(ctx.io);
      const onProgress = (n: number) => bar.update(`found ${n.toLocaleString("en-US")} sessions…`);
      const { cutNote } = await import("../../src/render/sessions.js");
      const onCut = (shown: number, found: number, complete: boolean) => out.warn(cutNote(shown, found, complete));
      await withConnection(ctx, cmd, async ({ store, keys }) => {
        try {
          if (opts.ndjson) {
            const { sessionJson } = await import("../../src/render/sessions.js");
            for await (const s of streamSessions(store, keys, { pattern, limit: opts.limit, onProgress, onCut })) await out.ndjson(sessionJson(s));
            return;
          }
          let cut: [number, number, boolean] | undefined;
          const sessions = await collectSessions(store, keys, { pattern, sort: opts.sort, limit: opts.limit, onProgress, onCut: (...a) => (cut = a) });
          bar.done();
          const { renderSessionTable, sessionJson } = await import("../../src/render/sessions.js");
          await out.paged(async () => {
            if (opts.json) await out.json(sessions.map(sessionJson));
            else await renderSessionTable(out, sessions, Boolean(cut));
            if (cut) onCut(...cut);
          });
        } finally {
          bar.done();
        }
      });
    });
}
