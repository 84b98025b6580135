import { Command } from "commander";
import type { Context } from "../../src/program/context.js";
import { UsageError } from "../../src/errors/errors.js";
import { examples } from "../../src/program/options.js";

interface JsonOpt {
  json?: boolean;
}

async function tools(ctx: Context, cmd: Command) {
  const { loadProfiles } = await import("../../src/program/connection.js");
  const { Output } = await import("../../src/render/output.js");
  const render = await import("../../src/render/profiles.js");
  return {
    profiles: await loadProfiles(ctx),
    out: new Output(ctx.io, ctx.globals(cmd).color, ctx.globals(cmd).pager),
    render,
  };
}

function profileOrFail(profiles: { get(n: string): unknown; names(): string[] }, name: string) {
  const p = profiles.get(name);
  if (!p) {
    const known = profiles.names();
    // Exit 2 as for --profile nope: exit 3 means a session that does not exist.
    throw new UsageError(
      `no profile named '${name}'`,
      known.length ? `saved profiles: ${known.join(", ")}` : "run `upstash-memory login` first",
    );
  }
  return p as import("../../src/config/profiles.js").Profile;
}

/** One secret from stdin: the first line, without its line ending; empty is a usage error. */
async function secretFromStdin(ctx: Context, key: string): Promise<string> {
  const { readAll } = await import("../../src/terminal/stdin.js");
  const text = (await readAll(ctx.io.stdin, { hint: `type the ${key}, then Enter and Ctrl-D`, stderr: ctx.io.stderr }))
    .toString("utf8")
    .split(/\r?\n/)[0];
  if (!text)
    throw new UsageError(`no ${key} on stdin`, `pipe it in: printf %s "$SECRET" | upstash-memory config set ${key} -`);
  return text;
}

export function configCommand(ctx: Context): Command {
  const config = new Command("config").description("saved profiles: list, show, choose and change them");

  config
    .command("list")
    .description("list saved profiles (tokens masked); * marks the current one (its own field when piped)")
    .option("--json", "JSON array")
    .action(async (opts: JsonOpt, cmd: Command) => {
      const { profiles, out, render } = await tools(ctx, cmd);
      const current = profiles.currentName();
      const rows = profiles.names().map((n) => render.profileJson(n, profiles.get(n)!, n === current));
      await out.paged(async () => {
        if (opts.json) await out.json(rows);
        else await render.renderProfileList(out, rows);
      });
      if (opts.json && !rows.length) out.warn(render.NO_PROFILES);
    });

  config
    .command("show")
    .description("show one profile (token masked)")
    .argument("[name]", "profile name (default: the current profile, or --profile)")
    .option("--json", "JSON object")
    .action(async (name: string | undefined, opts: JsonOpt, cmd: Command) => {
      const { profiles, out, render } = await tools(ctx, cmd);
      const n = name ?? ctx.globals(cmd).profile ?? ctx.io.env.UPSTASH_MEMORY_PROFILE ?? profiles.currentName();
      const row = render.profileJson(n, profileOrFail(profiles, n), n === profiles.currentName());
      if (opts.json) await out.json(row);
      else await render.renderProfile(out, row);
    });

  config
    .command("use")
    .description("make a profile the default")
    .argument("<name>", "profile name")
    .option("--json", "JSON result")
    .action(async (name: string, opts: JsonOpt, cmd: Command) => {
      const { profiles, out } = await tools(ctx, cmd);
      profileOrFail(profiles, name);
      profiles.use(name);
      if (opts.json) await out.json({ current: name });
      else out.warn(`now using profile '${name}'`);
    });

  const setOrUnset =
    (unset: boolean) => async (key: string, value: string | undefined, opts: JsonOpt, cmd: Command) => {
      const { profiles, out, render } = await tools(ctx, cmd);
      const { applySetting, SECRET_KEYS } = await import("../../src/config/settings.js");
      const name = ctx.globals(cmd).profile ?? ctx.io.env.UPSTASH_MEMORY_PROFILE ?? profiles.currentName();
      if (!unset && value === undefined) throw new UsageError(`missing value for '${key}'`);
      // A secret from stdin stays off the command line, where `ps` shows it.
      if (!unset && value === "-" && SECRET_KEYS.includes(key)) value = await secretFromStdin(ctx, key);
      const next = applySetting(profileOrFail(profiles, name), key, unset ? undefined : value);
      profiles.save(name, next);
      if (opts.json) await out.json(render.profileJson(name, next, name === profiles.currentName()));
      else
        out.warn(
          `${unset ? "unset" : "set"} ${key}${unset || SECRET_KEYS.includes(key) ? "" : ` = ${value}`} in profile '${name}'`,
        );
    };

  config
    .command("set")
    .description("change a setting of the current profile (or --profile NAME)")
    .argument("<key>", "url, token, prefix, ttl, model, llm.baseUrl, llm.model, llm.apiKey or flowise.sessionId")
    .argument("<value>", "the new value; - reads token or llm.apiKey from stdin (keeps it out of `ps`)")
    .option("--json", "the profile afterwards, as JSON")
    .addHelpText(
      "after",
      examples(
        "config set prefix message_store:           # LangChain Python keys",
        "config set ttl 7d                           # append/import set this TTL",
        "config set llm.baseUrl http://localhost:11434/v1   # Ollama's OpenAI-compatible API",
        "config set model gpt-4o-mini                # tokens counted for this model",
        "config set llm.model llama3.2",
        "config set llm.apiKey -                     # the key from stdin, not the command line",
        "config set flowise.sessionId support-bot       # the memory node's Session Id",
      ),
    )
    .action((key: string, value: string, opts: JsonOpt, cmd: Command) => setOrUnset(false)(key, value, opts, cmd));

  config
    .command("unset")
    .description("remove a setting from the current profile (or --profile NAME)")
    .argument("<key>", "prefix, ttl, model, token, llm.baseUrl, llm.model, llm.apiKey or flowise.sessionId")
    .option("--json", "the profile afterwards, as JSON")
    .action((key: string, opts: JsonOpt, cmd: Command) => setOrUnset(true)(key, undefined, opts, cmd));

  config.addHelpText(
    "after",
    examples("config list", "config show work --json", "config use work", "config set ttl 30d --profile work"),
  );
  return config;
}
