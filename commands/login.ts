import { Command } from "commander";
import type { Context } from "../src/program/context.js";
import { UsageError } from "../src/errors/errors.js";
import { isInteractive } from "../src/terminal/io.js";
import { examples, flagRules } from "../src/program/options.js";

interface LoginOptions {
  tokenStdin?: boolean;
  json?: boolean;
}

export function loginCommand(ctx: Context): Command {
  return new Command("login")
    .description("save a connection as a profile, after checking it with a PING")
    .option("--token-stdin", "read the token from stdin (for scripts and CI)")
    .option("--json", "JSON result (token masked)")
    .addHelpText(
      "after",
      `${examples(
        "login                                              # asks for the URL and token (masked)",
        "login --url https://x.upstash.io --token-stdin <token.txt",
        "login --url redis://:password@localhost:6379       # a redis:// URL needs no token",
      )}\nUses the global --url, --token and --profile (default: 'default').\n`,
    )
    .hook("preAction", flagRules({ exclusive: [["--token", "--token-stdin"]] }))
    .action(async (opts: LoginOptions, cmd: Command) => {
      const g = ctx.globals(cmd);
      const { transportOf } = await import("../src/store/url.js");
      const { validateProfileName, DEFAULT_PROFILE } = await import("../src/config/profiles.js");
      const name = validateProfileName(g.profile ?? DEFAULT_PROFILE);
      let url = g.url;
      let token = g.token;
      if (opts.tokenStdin) {
        const { readAll } = await import("../src/terminal/stdin.js");
        token = (await readAll(ctx.io.stdin)).toString("utf8").trim();
        if (!token) throw new UsageError("--token-stdin: stdin was empty");
      }
      if (!url || (!token && transportOf(url) === "rest")) {
        if (!isInteractive(ctx.io)) {
          throw new UsageError("login needs --url and --token (or --token-stdin) when not on a terminal");
        }
        const { askText, askSecret } = await import("../src/terminal/prompts.js");
        url ??= (
          await askText(ctx.io, "REST URL (https://…upstash.io) or redis:// URL", (v) =>
            /^(https?|rediss?):\/\/\S+$/.test(v.trim()) ? true : "expected https://… or redis://…",
          )
        ).trim();
        if (!token && transportOf(url) === "rest") token = (await askSecret(ctx.io, "REST token")).trim();
      }
      const { registerSecret, maskToken } = await import("../src/errors/secrets.js");
      registerSecret(token);
      const { verifyConnection } = await import("../src/config/verify.js");
      const { timeoutMs, loadProfiles } = await import("../src/program/connection.js");
      const rest = transportOf(url) === "rest";
      let verified: import("../src/config/verify.js").Verified;
      // A refused token on a terminal: the URL is kept, only the token is asked again (3 tries).
      for (let attempt = 1; ; attempt++) {
        try {
          verified = await verifyConnection(url, rest ? token : undefined, timeoutMs(ctx, cmd));
          break;
        } catch (err) {
          const refused = rest && /refused the token/.test((err as Error).message);
          if (!refused || attempt >= 3 || opts.tokenStdin || !isInteractive(ctx.io)) throw err;
          ctx.io.stderr.write(`upstash-memory: ${(err as Error).message}\n`);
          const { askSecret } = await import("../src/terminal/prompts.js");
          token = (await askSecret(ctx.io, `REST token for ${url} (try again)`)).trim();
          registerSecret(token);
        }
      }
      const profiles = await loadProfiles(ctx);
      const previous = profiles.get(name);
      profiles.save(name, { ...previous, url, ...(rest ? { token } : { token: undefined }) });
      if (!profiles.names().includes(profiles.currentName())) profiles.use(name);
      const result = {
        profile: name,
        url,
        token: token && rest ? maskToken(token) : null,
        pingMs: verified.pingMs,
        readOnly: verified.readOnly,
        current: profiles.currentName() === name,
        file: profiles.file,
      };
      const { Output } = await import("../src/render/output.js");
      const { loginLines } = await import("../src/render/profiles.js");
      const out = new Output(ctx.io, g.color);
      if (opts.json) await out.json(result);
      for (const line of loginLines(result, profiles.currentName(), Boolean(opts.json))) out.warn(line);
    });
}

export function logoutCommand(ctx: Context): Command {
  return new Command("logout")
    .description("forget a saved profile and its token")
    .argument("[name]", "profile name (default: the current profile)")
    .option("-y, --yes", "remove the current profile without asking (needed off a terminal without a name)")
    .option("--json", "JSON result")
    .addHelpText("after", examples("logout work", "logout                  # asks before removing the current profile"))
    .action(async (name: string | undefined, opts: { json?: boolean; yes?: boolean }, cmd: Command) => {
      const { loadProfiles } = await import("../src/program/connection.js");
      const profiles = await loadProfiles(ctx);
      const n = name ?? ctx.globals(cmd).profile ?? profiles.currentName();
      if (!profiles.get(n)) throw new UsageError(`no profile named '${n}'`);
      // No name: the profile is implied, so a script must say it means it.
      if (name === undefined && !opts.yes) {
        if (!isInteractive(ctx.io))
          throw new UsageError(
            `logout needs a profile name when not on a terminal (the current one is '${n}')`,
            `upstash-memory logout ${n}, or --yes to remove the current profile`,
          );
        const { confirm } = await import("../src/terminal/prompts.js");
        const { CliError, ExitCode } = await import("../src/errors/errors.js");
        if (!(await confirm(ctx.io, `remove profile '${n}' and its token?`)))
          throw new CliError("cancelled: nothing changed", ExitCode.failure);
      }
      profiles.remove(n);
      const { Output } = await import("../src/render/output.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      if (opts.json) await out.json({ removed: n });
      else out.warn(`removed profile '${n}'`);
    });
}
