import { Command, Option } from "commander";
import type { Context } from "../../src/program/context.js";
import { UsageError } from "../../src/errors/errors.js";
import { isInteractive } from "../../src/terminal/io.js";
import { examples, flagRules, positiveInt } from "../../src/program/options.js";
import { addTokenFlags, modelOf, type TokenFlags } from "../../src/tokens/flags.js";

interface ShowOptions extends TokenFlags {
  tokens?: boolean;
  format: "table" | "json" | "ndjson" | "markdown" | "text";
  json?: boolean;
  ndjson?: boolean;
  first?: number;
  last?: number;
  follow?: boolean;
  interval: string;
  for?: string;
}

export function historyShowCommand(ctx: Context): Command {
  const show = new Command("show")
    .description("show one conversation, oldest message first")
    .argument("[sessionId]", "the session id (without the prefix); omitted on a terminal: pick from a list")
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["table", "json", "ndjson", "markdown", "text"])
        .default("table"),
    )
    .option(
      "--json",
      "same as --format json: {sessionId, key, count, ttlSeconds, messages: [{index, role, type, content, raw}]}",
    )
    .option("--ndjson", "same as --format ndjson: one message per line")
    .option("--first <n>", "only the oldest N messages", positiveInt)
    .option("--last <n>", "only the newest N messages", positiveInt)
    .option(
      "-f, --follow",
      "keep printing new messages as the app stores them, until Ctrl-C (waits for a session that does not exist yet); with --json, NDJSON from the first line (one message per line)",
    )
    .option("--interval <duration>", "with --follow: time between polls (e.g. 500ms, 2s)", "1s")
    .option("--for <duration>", "with --follow: stop after this long")
    .option("--tokens", "each message's tokens, the total, and which messages the model sees");
  return addTokenFlags(show, { limits: true })
    .addHelpText(
      "after",
      examples(
        "history show user-42",
        "history show user-42 --last 10",
        "history show user-42 --json | jq -r '.messages[].content'",
        "history show abc --prefix message_store:     # a LangChain Python session",
        "history show user-42 --follow --ndjson       # watch a test chat being stored",
        "history show user-42 --tokens --model gpt-4o-mini --window 20",
      ),
    )
    .hook(
      "preAction",
      flagRules({
        exclusive: [
          ["--json", "--ndjson", "--format"],
          ["--first", "--last"],
          ["--tokens", "--follow"],
          ["--window", "--max-tokens"],
        ],
        requires: {
          "--interval": "--follow",
          "--for": "--follow",
          "--model": "--tokens",
          "--context": "--tokens",
          "--window": "--tokens",
          "--max-tokens": "--tokens",
        },
      }),
    )
    .action(async (sessionIdArg: string | undefined, opts: ShowOptions, cmd: Command) => {
      const asked = opts.json ? "json" : opts.ndjson ? "ndjson" : opts.format;
      // Following prints one shape from the first line: a JSON document cannot grow, so --json is NDJSON.
      const format = opts.follow && asked === "json" ? "ndjson" : asked;
      if (sessionIdArg === undefined && !isInteractive(ctx.io)) {
        throw new UsageError(
          "missing session id",
          "usage: upstash-memory history show <sessionId> (see `sessions list`)",
        );
      }
      const { validateSessionId } = await import("../../src/sessions/keys.js");
      const typedId = sessionIdArg === undefined ? undefined : validateSessionId(sessionIdArg);
      const { withConnection } = await import("../../src/program/connection.js");
      const { loadHistory } = await import("../../src/history/show.js");
      const { renderHistory, warnUnrecognized } = await import("../../src/render/history.js");
      const { Output } = await import("../../src/render/output.js");
      const g = ctx.globals(cmd);
      const out = new Output(ctx.io, g.color, g.pager);
      await withConnection(ctx, cmd, async ({ store, keys, resolved }) => {
        const sessionId = typedId ?? (await pickSession(ctx, store, keys));
        if (opts.tokens) {
          // Counted over the whole history (the window is counted from the newest back), shown as asked.
          const { counterFor } = await import("../../src/tokens/count.js");
          const { countHistory } = await import("../../src/tokens/history.js");
          const { renderTokensNote } = await import("../../src/render/tokens.js");
          const counter = await counterFor(modelOf(opts.model, resolved.profile), opts.context);
          const whole = await loadHistory(store, keys, sessionId);
          const tokens = countHistory(whole.messages, counter, opts);
          const messages = opts.first
            ? whole.messages.slice(0, opts.first)
            : opts.last
              ? whole.messages.slice(-opts.last)
              : whole.messages;
          const view = { ...whole, messages, tokens };
          await out.paged(async () => {
            warnUnrecognized(out, view.messages, sessionId);
            await renderHistory(out, view, format);
            if (format !== "json") await renderTokensNote(out, view, format === "table" && out.tty);
          });
          return;
        }
        if (!opts.first && !opts.last && !opts.follow && (format !== "table" || !out.tty)) {
          // Written as it is decoded, never built whole: --ndjson reads page by page
          // too (a huge history never sits in memory), the others in one request.
          const { streamHistoryView, historyInPages } = await import("../../src/history/show.js");
          const { renderHistoryPages } = await import("../../src/render/history.js");
          const pages =
            format === "ndjson" ? streamHistoryView(store, keys, sessionId) : historyInPages(store, keys, sessionId);
          await out.paged(() =>
            renderHistoryPages(out, pages, format, (page) => warnUnrecognized(out, page.messages, sessionId)),
          );
          return;
        }
        // --follow waits for a session that does not exist yet (it starts with the first message).
        const view = await loadHistory(store, keys, sessionId, { first: opts.first, last: opts.last }, opts.follow);
        const show = async () => {
          warnUnrecognized(out, view.messages, sessionId);
          await renderHistory(out, view, format);
        };
        // --follow keeps writing until Ctrl-C: never through a pager.
        if (!opts.follow) await out.paged(show);
        else if (view.count > 0) await show();
        if (opts.follow) {
          const { followSession } = await import("../../src/history/follow-view.js");
          await followSession(store, out, view, { format, interval: opts.interval, for: opts.for });
        }
      });
    });
}

async function pickSession(
  ctx: Context,
  store: import("../../src/store/types.js").Store,
  keys: import("../../src/sessions/keys.js").KeySpace,
): Promise<string> {
  const { collectSessionMeta } = await import("../../src/sessions/list.js");
  const { pick } = await import("../../src/terminal/prompts.js");
  const { formatTtl } = await import("../../src/duration/duration.js");
  const { plural } = await import("../../src/text/plural.js");
  const sessions = await collectSessionMeta(store, keys, { sort: "name" });
  if (!sessions.length) throw new UsageError("there are no sessions to show");
  return pick(
    ctx.io,
    "Session",
    sessions.map((s) => ({
      value: s.sessionId,
      name: `${s.sessionId}  (${plural(s.count, "message")}, TTL ${formatTtl(s.ttlSeconds)})`,
    })),
  );
}
