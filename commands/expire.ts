import { Argument, Command } from "commander";
import type { Context } from "../src/program/context.js";
import { ExitCode } from "../src/errors/errors.js";
import { examples, flagRules } from "../src/program/options.js";
import { looksLikeDuration } from "../src/duration/duration.js";

interface ExpireOptions {
  persist?: boolean;
  match?: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * The arguments are session ids and then a DURATION. With --persist there is
 * no DURATION: a last argument written like one is a mistake, not a session id.
 */
function durationGiven(cmd: Command): boolean {
  const args = cmd.processedArgs[0] as string[];
  const o = cmd.opts<ExpireOptions>();
  if (o.persist) return args.length > 0 && looksLikeDuration(args[args.length - 1]);
  // The last argument is the DURATION; a lone one only when it reads like one (else it is an id).
  if (args.length === 1 && o.match === undefined) return looksLikeDuration(args[0]);
  return args.length > 0;
}

function idsGiven(cmd: Command): boolean {
  const args = cmd.processedArgs[0] as string[];
  return args.length - (!cmd.opts<ExpireOptions>().persist && durationGiven(cmd) ? 1 : 0) > 0;
}

export function expireCommand(ctx: Context): Command {
  return (
    new Command("expire")
      .description("set (or with --persist remove) the TTL of sessions")
      // Ids, then the duration: commander cannot name a last argument after a
      // variadic one, so usage and help name them and the action splits them.
      .usage("[options] <sessionId...> <DURATION>")
      .argument("[args...]")
      .configureHelp({
        visibleArguments: () => [
          new Argument("<sessionId...>", "one or more session ids (or --match PATTERN)"),
          new Argument("<DURATION>", "the TTL: 3600, 90s, 30m, 12h, 7d (--persist instead removes it)"),
        ],
      })
      .option("--persist", "remove the TTL: the sessions never expire")
      .option("--match <pattern>", "every session whose id matches the glob")
      .option("-y, --yes", "do not ask (needed with --match when not on a terminal)")
      .option("--dry-run", "show which sessions would change")
      .option("--json", "JSON array of {sessionId,key,status,ttlSeconds}; with --dry-run {wouldSet,missing}")
      .addHelpText(
        "after",
        examples(
          "expire user-42 7d",
          "expire user-42 user-43 12h",
          "expire user-42 --persist",
          "expire --match 'test-*' 1h --yes",
        ) +
          "\nAn app with its own timeout (Flowise's Session Timeout, LangChain's sessionTTL)\n" +
          "overrides this TTL at its next message; an app without one leaves it as set.\n",
      )
      .hook(
        "preAction",
        flagRules({
          oneOf: [
            [
              ["session ids", "--match"],
              "upstash-memory expire <sessionId...> <DURATION>, or --match PATTERN <DURATION>",
            ],
            [["--persist", "a DURATION"], "upstash-memory expire <sessionId...> <DURATION>, or --persist"],
          ],
          facts: { "a DURATION": durationGiven, "session ids": idsGiven },
        }),
      )
      .action(async (args: string[], opts: ExpireOptions, cmd: Command) => {
        const { parseDuration } = await import("../src/duration/duration.js");
        const { validateSessionId } = await import("../src/sessions/keys.js");
        const ids = [...args];
        const ttl: number | "persist" = opts.persist ? "persist" : parseDuration(ids.pop()!, "duration");
        for (const [i, id] of ids.entries()) ids[i] = validateSessionId(id);
        const { withConnection } = await import("../src/program/connection.js");
        const { expireKeys } = await import("../src/write/expire.js");
        const { confirmChanges } = await import("../src/terminal/prompts.js");
        const { Output } = await import("../src/render/output.js");
        const r = await import("../src/render/writes.js");
        const out = new Output(ctx.io, ctx.globals(cmd).color);
        await withConnection(ctx, cmd, async ({ store, keys }) => {
          const { targetsById } = await import("../src/write/targets.js");
          const setting = ttl === "persist" ? "remove the TTL of" : `set a TTL of ${args[args.length - 1]} on`;
          let targetKeys = ids.map((id) => keys.key(id));
          if (opts.match !== undefined) {
            const { targetsByPattern } = await import("../src/write/targets.js");
            const targets = await targetsByPattern(store, keys, opts.match);
            if (!targets.length) {
              r.warnNoMatch(out, opts.match);
              if (opts.json) await out.json(opts.dryRun ? r.expireDryRunJson([], [], [], ttl) : []);
              return;
            }
            const what = r.describeTargets(setting, targets);
            if (opts.dryRun) return r.expireDryRun(out, { what, pattern: opts.match, targets, ttl, json: opts.json });
            out.warn(`${what} (matching '${opts.match}')`);
            await confirmChanges(ctx.io, { question: `${what}?`, changes: targets, yes: opts.yes });
            targetKeys = targets.map((t) => t.key);
          } else if (opts.dryRun) {
            // What the real run would find: the same lookups, no write.
            const found = await targetsById(store, keys, ids);
            const targets = found.filter((t) => t.type === "list");
            const missing = found.filter((t) => t.type === "none").map((t) => t.sessionId);
            const notLists = found.filter((t) => t.type !== "list" && t.type !== "none").map((t) => t.sessionId);
            await r.expireDryRun(out, {
              what: r.describeTargets(setting, targets),
              targets,
              ttl,
              json: opts.json,
              missing,
              notLists,
            });
            const { missingNotes } = await import("../src/sessions/near-miss.js");
            for (const [id, note] of await missingNotes(store, keys, missing)) out.warn(r.sessionLine(id, note));
            for (const id of notLists) out.warn(r.sessionLine(id, "not a chat history (would be left unchanged)"));
            if (missing.length) process.exitCode = ExitCode.notFound;
            else if (notLists.length) process.exitCode = ExitCode.failure;
            return;
          }
          const results = await expireKeys(store, targetKeys, ttl);
          const rows = results.map((x) => ({
            sessionId: keys.sessionId(x.key),
            key: x.key,
            status: x.status,
            ttlSeconds: x.ttlSeconds,
          }));
          if (opts.json) await out.json(r.expireJson(rows));
          const { missingNotes } = await import("../src/sessions/near-miss.js");
          const notes = await missingNotes(
            store,
            keys,
            rows.filter((x) => x.status === "missing").map((x) => x.sessionId),
          );
          for (const x of rows) {
            if (x.status === "missing") out.warn(r.sessionLine(x.sessionId, notes.get(x.sessionId)!));
            else if (x.status === "not-a-list")
              out.warn(r.sessionLine(x.sessionId, "not a chat history (left unchanged)"));
            else if (!opts.json) await r.expiredLine(out, x.sessionId, x.ttlSeconds);
          }
          if (!opts.json && rows.some((x) => x.status === "ok")) out.warn(r.appTimeoutNote(ttl === "persist"));
          if (rows.some((x) => x.status === "missing")) process.exitCode = ExitCode.notFound;
          else if (rows.some((x) => x.status === "not-a-list")) process.exitCode = ExitCode.failure;
        });
      })
  );
}
