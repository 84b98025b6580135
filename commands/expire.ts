import { Command } from "commander";
import type { Context } from "../src/context.js";
import { ExitCode, UsageError } from "../src/errors.js";
import { examples, idsOrMatch } from "../src/options.js";

interface ExpireOptions {
  persist?: boolean;
  match?: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function expireCommand(ctx: Context): Command {
  return new Command("expire")
    .description("set (or with --persist remove) the TTL of sessions")
    .argument("[args...]", "session ids followed by a DURATION (3600, 90s, 30m, 12h, 7d)")
    .option("--persist", "remove the TTL: the sessions never expire")
    .option("--match <pattern>", "every session whose id matches the glob")
    .option("-y, --yes", "do not ask (needed with --match when not on a terminal)")
    .option("--dry-run", "show which sessions would change")
    .option("--json", "JSON array of {sessionId,key,status,ttlSeconds}")
    .addHelpText(
      "after",
      examples("expire user-42 7d", "expire user-42 user-43 12h", "expire user-42 --persist", "expire --match 'test-*' 1h --yes"),
    )
    .action(async (args: string[], opts: ExpireOptions, cmd: Command) => {
      const { parseDuration } = await import("../src/duration.js");
      const { keyFields, validateSessionId } = await import("../src/keys.js");
      const ids = [...args];
      let ttl: number | "persist";
      if (opts.persist) ttl = "persist";
      else {
        const d = ids.pop();
        if (d === undefined) throw new UsageError("missing DURATION", "usage: upstash-memory expire <sessionId...> <DURATION>, or --persist");
        ttl = parseDuration(d, "duration");
      }
      idsOrMatch(ids, opts.match, "upstash-memory expire <sessionId...> <DURATION>");
      ids.forEach(validateSessionId);
      const { withConnection } = await import("../src/connection.js");
      const { expireKeys } = await import("../src/write/expire.js");
      const { targetsByPattern } = await import("../src/write/targets.js");
      const { confirmChanges } = await import("../src/prompts.js");
      const { Output } = await import("../src/render/output.js");
      const r = await import("../src/render/writes.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      await withConnection(ctx, cmd, async ({ store, keys }) => {
        let targetKeys = ids.map((id) => keys.key(id));
        if (opts.match !== undefined) {
          const targets = await targetsByPattern(store, keys, opts.match);
          const what = r.describeTargets(ttl === "persist" ? "remove the TTL of" : `set a TTL of ${args[args.length - 1]} on`, targets);
          out.warn(`${what} (matching '${opts.match}')`);
          if (opts.dryRun) return r.listTargets(out, targets);
          if (!targets.length) return;
          await confirmChanges(ctx.io, { question: `${what}?`, changes: targets, yes: opts.yes });
          targetKeys = targets.map((t) => t.key);
        } else if (opts.dryRun) {
          out.warn(`would ${ttl === "persist" ? "remove the TTL of" : "set the TTL of"} ${r.plural(ids.length, "session")}`);
          return;
        }
        const results = await expireKeys(store, targetKeys, ttl);
        const rows = results.map((x) => ({ sessionId: keys.sessionId(x.key), key: x.key, status: x.status, ttlSeconds: x.ttlSeconds }));
        if (opts.json) await out.json(rows.map((x) => ({ ...keyFields(x.sessionId, x.key), status: x.status, ttlSeconds: x.ttlSeconds })));
        for (const x of rows) {
          if (x.status === "missing") out.warn(r.sessionLine(x.sessionId, "no such session"));
          else if (x.status === "not-a-list") out.warn(r.sessionLine(x.sessionId, "not a chat history (left unchanged)"));
          else if (!opts.json) await out.tsv([x.sessionId, x.ttlSeconds === null ? "never" : x.ttlSeconds]);
        }
        if (rows.some((x) => x.status === "missing")) process.exitCode = ExitCode.notFound;
        else if (rows.some((x) => x.status === "not-a-list")) process.exitCode = ExitCode.failure;
      });
    });
}
