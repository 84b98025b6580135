import { Command, Option } from "commander";
import type { Context } from "../src/program/context.js";
import { readFailure } from "../src/errors/errors.js";
import { examples, flagRules, shellLine } from "../src/program/options.js";

interface AppendOptions {
  role: string;
  file?: string;
  messageJson?: string;
  toolCallId?: string;
  ttl?: string;
  json?: boolean;
}

export function appendCommand(ctx: Context): Command {
  return new Command("append")
    .description("add a message to a session, stored exactly as LangChain and Flowise store it")
    .argument("<sessionId>", "the session id (without the prefix)")
    .argument("[content]", "message text; `-` reads stdin (on a terminal: what you type, until Ctrl-D)")
    .addOption(new Option("--role <role>", "user, assistant, system or tool (also human, ai)").default("user"))
    .option("--file <path>", "read the content from a file")
    .option("--message-json <json>", 'append a complete StoredMessage {"type":..,"data":{"content":..}}')
    .option("--tool-call-id <id>", "the tool call a tool message answers")
    .option(
      "--ttl <duration>",
      "set the session's TTL in the same atomic request (default: the profile's ttl; else unchanged)",
    )
    .option("--json", "print {sessionId,key,count,ttlSeconds,applied}")
    .addHelpText(
      "after",
      examples(
        'append user-42 "I prefer window seats"',
        'append user-42 "Noted." --role assistant --ttl 7d',
        shellLine("echo 'long text' | upstash-memory append user-42 -"),
        'append user-42 --message-json "$(cat message.json)"   # {"type":"system","data":{"content":"Be brief."}}',
      ) +
        "\nText from stdin or --file loses its one final line ending; an empty message is refused.\n" +
        "A retried append is applied once: each message carries a unique data.id.\n" +
        "Flowise's chat view shows user, assistant and system messages only: a tool\n" +
        "message reaches its agents and chains, not its chat UI.\n",
    )
    .hook(
      "preAction",
      flagRules({
        // --message-json is a whole message: its role and tool call id are inside it.
        exclusive: [
          ["--message-json", "--role"],
          ["--message-json", "--tool-call-id"],
        ],
        oneOf: [
          [
            ["<content>", "--file", "--message-json"],
            "upstash-memory append <sessionId> <content | - | --file PATH | --message-json JSON>",
          ],
        ],
      }),
    )
    .action(async (sessionIdArg: string, content: string | undefined, opts: AppendOptions, cmd: Command) => {
      const { validateNewMessageSessionId } = await import("../src/sessions/keys.js");
      const sessionId = validateNewMessageSessionId(sessionIdArg);
      const w = await import("../src/write/append.js");
      let element: string;
      if (opts.messageJson !== undefined) element = w.elementFromJson(opts.messageJson);
      else {
        let bytes: Buffer;
        if (opts.file !== undefined) {
          const fs = await import("node:fs/promises");
          bytes = await fs.readFile(opts.file).catch((e: Error) => {
            throw readFailure(opts.file!, e);
          });
        } else if (content === "-") {
          const { readAll } = await import("../src/terminal/stdin.js");
          const hint = "type the message, then Ctrl-D on an empty line to store it (Ctrl-C cancels)";
          bytes = await readAll(ctx.io.stdin, { hint, stderr: ctx.io.stderr });
        } else bytes = Buffer.from(content!, "utf8");
        element = w.elementFor(
          opts.role,
          w.contentFromBytes(bytes, content === undefined || content === "-"),
          opts.toolCallId,
        );
      }
      const { parseDuration } = await import("../src/duration/duration.js");
      let ttl = opts.ttl !== undefined ? parseDuration(opts.ttl, "ttl") : undefined;
      const { withConnection } = await import("../src/program/connection.js");
      const { Output } = await import("../src/render/output.js");
      const { plural, ttlText, sessionLine, appendJson } = await import("../src/render/writes.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      await withConnection(ctx, cmd, async ({ store, keys, resolved }) => {
        if (ttl === undefined && resolved.profile?.ttl) ttl = parseDuration(resolved.profile.ttl, "profile ttl");
        const r = await w.appendElement(store, keys.key(sessionId), element, ttl);
        if (opts.json) await out.json(appendJson(sessionId, keys.key(sessionId), r));
        else out.warn(sessionLine(sessionId, `${plural(r.count, "message")}, ${ttlText(r.ttlSeconds)}`));
        const note = w.flowiseChatViewNote(keys.key(sessionId), element);
        if (note) out.warn(note);
      });
    });
}
