import { Command, Option } from "commander";
import type { Context } from "../../src/program/context.js";
import { examples, flagRules, positiveInt } from "../../src/program/options.js";
import { addTokenFlags, modelOf } from "../../src/tokens/flags.js";

/** The progress line goes away before the first session is written. */
async function* clearBarFirst<T>(items: AsyncIterable<T>, bar: { done(): void }): AsyncGenerator<T> {
  for await (const x of items) {
    bar.done();
    yield x;
  }
}

/** --tokens: every session counted for the model (its tokenizer loaded now). */
async function withTokens(
  store: import("../../src/store/types.js").Store,
  keys: import("../../src/sessions/keys.js").KeySpace,
  opts: Parameters<typeof import("../../src/tokens/sessions.js").listSessionTokens>[3],
  model: string | undefined,
  context: number | undefined,
): Promise<AsyncIterable<import("../../src/tokens/sessions.js").SessionTokens[]>> {
  const { counterFor } = await import("../../src/tokens/count.js");
  const { listSessionTokens } = await import("../../src/tokens/sessions.js");
  const counter = await counterFor(model, context);
  return listSessionTokens(store, keys, counter, opts);
}

export function sessionsListCommand(ctx: Context): Command {
  const list = new Command("list")
    .description("list chat sessions with their message count, TTL and newest message")
    .argument("[pattern]", "glob on session ids (after the prefix)", "*")
    .addOption(
      new Option(
        "--sort <field>",
        "order by (default: as the scan finds them, streamed; a table on a terminal: name)",
      ).choices(["name", "count", "ttl", "tokens"]),
    )
    .option("--limit <n>", "at most N sessions", positiveInt)
    .option("--json", "JSON array of {sessionId,key,count,ttlSeconds,last}")
    .option("--ndjson", "one JSON object per line, streamed as the scan goes")
    .option("--tokens", "each session's tokens for a model, and its share of the window");
  return addTokenFlags(list)
    .addHelpText(
      "after",
      examples(
        "sessions list                       # table on a terminal, tab-separated when piped",
        "sessions list 'user-*' --sort count --limit 20",
        "sessions list --ndjson | jq -r 'select(.count>100).sessionId'",
        "sessions list --prefix message_store:   # LangChain Python keys",
        "sessions list --tokens --model gpt-4o-mini --sort tokens --limit 10",
      ),
    )
    .hook(
      "preAction",
      flagRules({
        exclusive: [["--json", "--ndjson"]],
        requires: { "a tokens sort": "--tokens", "--model": "--tokens", "--context": "--tokens" },
        facts: { "a tokens sort": (c) => c.opts().sort === "tokens" },
      }),
    )
    .action(
      async (
        pattern: string,
        opts: {
          sort?: "name" | "count" | "ttl" | "tokens";
          limit?: number;
          json?: boolean;
          ndjson?: boolean;
          tokens?: boolean;
          model?: string;
          context?: number;
        },
        cmd: Command,
      ) => {
        const { withConnection } = await import("../../src/program/connection.js");
        const { listSessions, collectTableRows } = await import("../../src/sessions/list.js");
        const { Output } = await import("../../src/render/output.js");
        const { progress } = await import("../../src/render/progress.js");
        const { renderSessionTable, sessionJson, sessionTsvLines, cutNote, listNotes } = await import(
          "../../src/render/sessions.js"
        );
        const { ListWatch, otherTypes } = await import("../../src/sessions/list-notes.js");
        const g = ctx.globals(cmd);
        const out = new Output(ctx.io, g.color, g.pager);
        const bar = progress(ctx.io);
        const { plural } = await import("../../src/text/plural.js");
        const onProgress = (n: number) => bar.update(`found ${plural(n, "session")}…`);
        let cut: [number, number, boolean] | undefined;
        await withConnection(ctx, cmd, async ({ store, keys, resolved }) => {
          const watch = new ListWatch(keys.prefix);
          try {
            const listOpts = {
              pattern,
              limit: opts.limit,
              onProgress,
              onCut: (...a: [number, number, boolean]) => (cut = a),
            };
            // Without --sort, sessions stream in scan order (a table on a terminal shows them by name),
            // a page (one round trip) per write.
            const pages = watch.watchPages(
              clearBarFirst(
                opts.tokens
                  ? await withTokens(
                      store,
                      keys,
                      { ...listOpts, sort: opts.sort },
                      modelOf(opts.model, resolved.profile),
                      opts.context,
                    )
                  : listSessions(store, keys, { ...listOpts, sort: opts.sort === "tokens" ? undefined : opts.sort }),
                bar,
              ),
            );
            await out.paged(async () => {
              if (opts.ndjson) for await (const page of pages) await out.ndjsonLines(page, sessionJson);
              else if (opts.json) await out.jsonArrayPages(pages, sessionJson);
              else if (!out.tty) for await (const page of pages) await sessionTsvLines(out, page);
              else await renderSessionTable(out, await collectTableRows(pages, { byName: !opts.sort }), Boolean(cut));
              if (cut) out.warn(cutNote(...cut));
              const others = watch.count ? undefined : await otherTypes(store, keys, pattern);
              listNotes(out, { pattern, prefix: keys.prefix, suggestedPrefix: watch.suggestedPrefix(), others });
            });
          } finally {
            bar.done();
          }
        });
      },
    );
}
