import { Command, Option } from "commander";
import type { Context } from "../src/program/context.js";
import { examples, flagRules, positiveInt } from "../src/program/options.js";

interface SearchFlags {
  match?: string;
  caseSensitive?: boolean;
  regex?: boolean;
  role?: string;
  limit?: number;
  json?: boolean;
  ndjson?: boolean;
}

export function searchCommand(ctx: Context): Command {
  return new Command("search")
    .description("find the messages that contain a text, across every session")
    .argument("<text>", "what to look for (case-insensitive unless --case-sensitive)")
    .option("--match <pattern>", "only sessions whose id matches the glob")
    .option("--case-sensitive", "match upper and lower case exactly")
    .option("--regex", "the text is a JavaScript regular expression")
    .addOption(
      new Option("--role <role>", "only messages of this role").choices([
        "user",
        "assistant",
        "system",
        "tool",
        "human",
        "ai",
      ]),
    )
    .option("--limit <n>", "stop after N hits (nothing more is read)", positiveInt)
    .option("--json", "JSON array of {sessionId, key, index, role, type, content}")
    .option("--ndjson", "one hit per line, streamed as found")
    .addHelpText(
      "after",
      examples(
        "search 'order 1234'                  # every session, any role",
        "search refund --match 'support-*' --role user",
        "search 'ord(er)? ?#?\\d{4}' --regex --limit 20",
        "search invoice --ndjson | jq -r .sessionId | sort -u",
      ) +
        "\nindex is the message's number in `history show` (1 = the oldest). Only the\n" +
        "elements that may match leave the server (a script filters each session).\n",
    )
    .hook("preAction", flagRules({ exclusive: [["--json", "--ndjson"]] }))
    .action(async (text: string, opts: SearchFlags, cmd: Command) => {
      const { compileQuery } = await import("../src/search/query.js");
      const query = compileQuery({ text, caseSensitive: opts.caseSensitive, regex: opts.regex });
      const { withConnection } = await import("../src/program/connection.js");
      const { searchMessages } = await import("../src/search/search.js");
      const { renderHit, searchNotes } = await import("../src/render/search.js");
      const { Output } = await import("../src/render/output.js");
      const { progress } = await import("../src/render/progress.js");
      const { plural } = await import("../src/text/plural.js");
      const g = ctx.globals(cmd);
      const out = new Output(ctx.io, g.color, g.pager);
      const bar = progress(ctx.io);
      await withConnection(ctx, cmd, async ({ store, keys }) => {
        const { hits, summary } = searchMessages(store, keys, {
          query,
          pattern: opts.match,
          role: opts.role,
          limit: opts.limit,
          onProgress: (n) => bar.update(`searching ${plural(n, "session")}…`),
        });
        async function* shown() {
          for await (const hit of hits) {
            bar.done();
            yield hit;
          }
          bar.done();
        }
        try {
          await out.paged(async () => {
            if (opts.json) await out.jsonArray(shown());
            else if (opts.ndjson) for await (const hit of shown()) await out.ndjson(hit);
            else for await (const hit of shown()) await renderHit(out, hit, query);
          });
        } finally {
          bar.done();
        }
        searchNotes(out, text, summary);
      });
    });
}
