// `upstash-memory dev`: the local Upstash-compatible endpoint (src/dev/), with
// its own in-memory redis-server unless --redis names one.
import { Command, InvalidArgumentError, Option } from "commander";
import type { ProfileStore } from "../src/config/profiles.js";
import type { Context } from "../src/program/context.js";
import type { ProfilePlan } from "../src/dev/profile.js";
import { examples, shellLine } from "../src/program/options.js";

interface DevOptions {
  host: string;
  port: number;
  token?: string;
  readonlyToken?: string;
  /** true: `--redis` without a URL, which takes REDIS_URL. */
  redis?: string | true;
  allowOrigin?: string[];
  maxReplyBytes?: number;
  maxCommands?: number;
  maxConnections?: number;
  seed?: boolean;
  json?: boolean;
  demo?: boolean;
  saveProfile?: string;
  /** false with --no-save. */
  save: boolean;
}

const PROFILE = "local";

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65_535) throw new InvalidArgumentError("expected a port number (0-65535)");
  return n;
}

/** A byte count: 1048576, 512KB, 10MB (powers of 1024). */
function byteSize(value: string): number {
  const match = /^\s*(\d+)\s*(B|KB|MB|GB)?\s*$/i.exec(value);
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(match?.[2] ?? "B").toUpperCase() as "B"];
  const n = match ? Number(match[1]) * unit : 0;
  if (!match || n < 1 || !Number.isSafeInteger(n))
    throw new InvalidArgumentError("expected a size such as 10MB, 512KB or 1048576");
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("expected a whole number of 1 or more");
  }
  return n;
}

export function devCommand(ctx: Context): Command {
  return new Command("dev")
    .description("run a local Upstash-compatible REST endpoint, backed by redis-server")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on (0: any free port)", port, 8079)
    .option(
      "--token <token>",
      "token clients must send, 16+ characters (default: $UPSTASH_MEMORY_DEV_TOKEN, else a new random one; prefer the variable: flags show up in `ps`)",
    )
    .option(
      "--readonly-token <token>",
      "a second token that may only read (default: $UPSTASH_MEMORY_DEV_READONLY_TOKEN; prefer the variable)",
    )
    .option(
      "--redis [url]",
      "use this Redis (redis://host:port) instead of starting redis-server; --redis alone takes the URL from $REDIS_URL (keeps its password out of `ps`)",
    )
    .option(
      "--allow-origin <origin>",
      "let web pages from this origin (http://localhost:3000) send requests; repeatable (default: requests with an Origin header are refused)",
      (value: string, list: string[] = []) => [...list, value],
    )
    .option(
      "--max-reply-bytes <size>",
      "bytes of reply one request may get, counted as they arrive (default: 10MB)",
      byteSize,
    )
    .option("--max-commands <n>", "commands one /pipeline or /multi-exec may hold (default: 10000)", positive)
    .option(
      "--max-connections <n>",
      "client connections open at once; past it, idle ones close first (default: 500)",
      positive,
    )
    .option(
      "--seed",
      "load sample conversations (LangChain JS, Flowise, LangChain Python); keys that exist are left untouched",
    )
    .option("--json", 'print {"url","token","readonlyToken","redisUrl"} as one JSON line')
    .option("--demo", "with --seed: list the sessions, show one conversation, then stop (npm run demo)")
    .option("--save-profile <name>", `save the URL and token as this profile (default: ${PROFILE})`)
    .addOption(new Option("--no-save", "save no profile").conflicts("saveProfile"))
    .addHelpText(
      "after",
      examples(
        "dev --seed                                  # in-memory redis-server with sample chats",
        "dev --port 0 --json                         # any free port; machine-readable start-up line",
        "dev --seed --demo --port 0                  # a tour: list the samples, show one, stop",
        shellLine("REDIS_URL=redis://127.0.0.1:6380 upstash-memory dev --redis   # that Redis"),
        shellLine("UPSTASH_MEMORY_DEV_READONLY_TOKEN=ro-0123456789abcdef upstash-memory dev"),
        "dev --allow-origin http://localhost:3000    # a web app calls it from a browser",
        "dev --port 8080 --save-profile local-8080    # a second endpoint, its own profile",
      ) +
        "\nPrints UPSTASH_REDIS_REST_URL/UPSTASH_REDIS_REST_TOKEN for your app and saves them as the\n" +
        `profile '${PROFILE}' (use it with --profile ${PROFILE}), unless that profile points at another\n` +
        "database: a profile is only ever replaced when it points at a local endpoint. Runs until Ctrl-C.\n",
    )
    .action(async (opts: DevOptions, cmd: Command) => {
      const { registerSecret } = await import("../src/errors/secrets.js");
      const { token, readonlyToken } = await chooseTokens(ctx, opts, cmd);
      registerSecret(token);
      registerSecret(readonlyToken);
      const redisOption = await chooseRedis(ctx, opts);
      registerSecret(redisOption && redisPassword(redisOption));
      await checkOrigins(opts);
      const profile = await planDevProfile(ctx, opts);

      // Listening from the start: a Ctrl-C during start-up still ends in a clean shutdown.
      const stop = stopSignal();
      try {
        const { startRedisServer } = await import("../src/dev/redis-process.js");
        const { OTHER_DATABASES } = await import("../src/dev/policy.js");
        const redisServer = redisOption ? undefined : await startRedisServer({ denyCommands: OTHER_DATABASES });
        registerSecret(redisServer?.password);
        const redisUrl = redisOption ?? redisServer!.url;
        try {
          // Listening first: a busy port fails before anything is written.
          const endpoint = await listen(redisUrl, opts, token, readonlyToken, redisServer !== undefined);
          try {
            if (opts.seed) await seedSamples(ctx, redisUrl);
            await announce(
              ctx,
              opts,
              endpoint,
              redisUrl,
              redisServer !== undefined,
              await applyProfile(profile, endpoint),
            );
            if (opts.demo) {
              const { runDemo } = await import("../src/dev/demo.js");
              await runDemo(ctx.io, endpoint);
              return;
            }
            await stop.received;
            ctx.io.stderr.write(`stopping (served ${endpoint.stats.requests} requests)\n`);
          } finally {
            await endpoint.close();
          }
        } finally {
          await redisServer?.stop();
        }
      } finally {
        stop.dispose();
      }
    });
}

type DevProfile = { plan: ProfilePlan; store?: ProfileStore };

/**
 * Which profile to save, decided before anything starts. A profile named with
 * --save-profile that points at another database is a usage error; `local`
 * pointing elsewhere is left alone with a warning, and the endpoint still runs.
 */
async function planDevProfile(ctx: Context, opts: DevOptions): Promise<DevProfile> {
  if (!opts.save) return { plan: { save: false, note: "not saved as a profile (--no-save)" } };
  if (opts.demo && opts.saveProfile === undefined) {
    return { plan: { save: false, note: "not saved as a profile: --demo stops when it is done" } };
  }
  const { validateProfileName } = await import("../src/config/profiles.js");
  const { loadProfiles } = await import("../src/program/connection.js");
  const { planProfile } = await import("../src/dev/profile.js");
  const { UsageError } = await import("../src/errors/errors.js");
  const name = validateProfileName(opts.saveProfile ?? PROFILE);
  let store: ProfileStore;
  try {
    store = await loadProfiles(ctx);
  } catch (err) {
    if (opts.saveProfile !== undefined) throw err;
    return {
      plan: {
        save: false,
        warning: true,
        note: `could not read the profiles, so none is saved: ${(err as Error).message}`,
      },
    };
  }
  const plan = planProfile(store, name);
  if (plan.save) return { plan, store };
  if (opts.saveProfile !== undefined)
    throw new UsageError(plan.note, "choose another name with --save-profile NAME, or pass --no-save");
  return { plan: { ...plan, note: `${plan.note}; save this endpoint with --save-profile NAME` }, store };
}

/** Saves the planned profile (if any) and returns the line that says what happened. */
async function applyProfile({ plan, store }: DevProfile, endpoint: { url: string; token: string }): Promise<string> {
  if (!plan.save) return plan.warning ? `warning: ${plan.note}` : plan.note;
  const { saveProfile } = await import("../src/dev/profile.js");
  try {
    return saveProfile(store!, plan, endpoint);
  } catch (err) {
    return `warning: could not save profile '${plan.name}': ${(err as Error).message}`;
  }
}

/**
 * The tokens: each from its flag, else its environment variable (off the
 * command line, where every local user could read it), the full one else a new
 * random one. A refused or short token is a usage error before anything starts.
 */
async function chooseTokens(
  ctx: Context,
  opts: DevOptions,
  cmd: Command,
): Promise<{ token: string; readonlyToken?: string }> {
  const { randomBytes } = await import("node:crypto");
  const { MIN_TOKEN_LENGTH, tokenProblem } = await import("../src/dev/auth.js");
  const { UsageError } = await import("../src/errors/errors.js");
  const env = ctx.io.env;
  // The program has a global --token too, and commander hands `dev --token x` to it.
  const flagToken = opts.token ?? ctx.globals(cmd).token;
  const given = flagToken ?? (env.UPSTASH_MEMORY_DEV_TOKEN || undefined);
  const readonlyToken = opts.readonlyToken ?? (env.UPSTASH_MEMORY_DEV_READONLY_TOKEN || undefined);
  // 32 random bytes: 43 characters of base64url.
  const token = given ?? randomBytes(32).toString("base64url");
  const problem = tokenProblem(token, readonlyToken);
  if (problem) throw new UsageError(problem, "leave --token out and the endpoint makes up a random one");
  for (const [flag, variable, value, fromFlag] of [
    ["--token", "UPSTASH_MEMORY_DEV_TOKEN", given, flagToken !== undefined],
    ["--readonly-token", "UPSTASH_MEMORY_DEV_READONLY_TOKEN", readonlyToken, opts.readonlyToken !== undefined],
  ] as const) {
    if (value !== undefined && value.length < MIN_TOKEN_LENGTH) {
      const from = fromFlag ? flag : variable;
      throw new UsageError(
        `${from} is ${value.length} characters: short tokens can be guessed; use ${MIN_TOKEN_LENGTH} or more`,
        "generate one with: openssl rand -hex 16",
      );
    }
  }
  return { token, readonlyToken };
}

/** The --redis URL: the flag's value, or REDIS_URL for `--redis` alone; undefined: start redis-server. */
async function chooseRedis(ctx: Context, opts: DevOptions): Promise<string | undefined> {
  if (opts.redis !== true) return opts.redis;
  const url = ctx.io.env.REDIS_URL;
  if (!url) {
    const { UsageError } = await import("../src/errors/errors.js");
    throw new UsageError(
      "--redis without a URL takes it from REDIS_URL, which is not set",
      "pass --redis redis://host:port, or set REDIS_URL",
    );
  }
  return url;
}

function redisPassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

async function checkOrigins(opts: DevOptions): Promise<void> {
  const { normalizeOrigin } = await import("../src/dev/request-guard.js");
  const { UsageError } = await import("../src/errors/errors.js");
  for (const origin of opts.allowOrigin ?? []) {
    try {
      normalizeOrigin(origin);
    } catch (err) {
      throw new UsageError(`--allow-origin ${(err as Error).message}`);
    }
  }
}

async function seedSamples(ctx: Context, redisUrl: string): Promise<void> {
  const { seed } = await import("../src/dev/seed.js");
  const { ConnectionError } = await import("../src/errors/errors.js");
  const { redact } = await import("../src/errors/secrets.js");
  const result = await seed(redisUrl).catch((err: Error) => {
    throw new ConnectionError(redact(`cannot seed ${redisUrl}: ${err.message}`));
  });
  ctx.io.stderr.write(`seeded ${result.sessions} sample sessions (${result.messages} messages)\n`);
  if (result.skipped.length > 0) {
    const n = result.skipped.length;
    ctx.io.stderr.write(`left ${n} existing key${n === 1 ? "" : "s"} untouched: ${result.skipped.join(", ")}\n`);
  }
}

async function listen(
  redisUrl: string,
  opts: DevOptions,
  token: string,
  readonlyToken: string | undefined,
  ownRedis: boolean,
) {
  const { startEndpoint } = await import("../src/dev/server.js");
  const { RedisUnavailableError } = await import("../src/dev/connections.js");
  const { CliError, ConnectionError, ExitCode } = await import("../src/errors/errors.js");
  const { redact } = await import("../src/errors/secrets.js");
  try {
    return await startEndpoint({
      redisUrl,
      host: opts.host,
      port: opts.port,
      token,
      readonlyToken,
      allowOrigins: opts.allowOrigin,
      maxReplyBytes: opts.maxReplyBytes,
      maxCommands: opts.maxCommands,
      maxConnections: opts.maxConnections,
      ownRedis,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE") {
      throw new CliError(
        `port ${opts.port} on ${opts.host} is in use`,
        ExitCode.failure,
        "pass --port N, or --port 0 for any free port",
      );
    }
    if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") {
      throw new CliError(`cannot listen on ${opts.host}: ${e.code}`, ExitCode.usage);
    }
    if (err instanceof RedisUnavailableError)
      throw new ConnectionError(redact(`cannot reach ${redisUrl}: ${e.message}`));
    throw err;
  }
}

async function announce(
  ctx: Context,
  opts: DevOptions,
  endpoint: { url: string; token: string; readonlyToken?: string },
  redisUrl: string,
  startedRedis: boolean,
  /** What happened to the profile. */
  profileNote: string,
): Promise<void> {
  const { io } = ctx;
  const { redact } = await import("../src/errors/secrets.js");
  // The Redis password is never printed: not the one of the redis-server
  // started here, not one in a --redis URL.
  const shownRedisUrl = redact(redisUrl);
  if (opts.json) {
    const line = {
      url: endpoint.url,
      token: endpoint.token,
      readonlyToken: endpoint.readonlyToken ?? null,
      redisUrl: shownRedisUrl,
    };
    io.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    io.stdout.write(`UPSTASH_REDIS_REST_URL=${endpoint.url}\nUPSTASH_REDIS_REST_TOKEN=${endpoint.token}\n`);
    if (endpoint.readonlyToken) io.stdout.write(`UPSTASH_REDIS_REST_READONLY_TOKEN=${endpoint.readonlyToken}\n`);
  }
  const { isLoopbackUrl } = await import("../src/store/url.js");
  if (!isLoopbackUrl(`http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}`)) {
    io.stderr.write(
      `warning: listening on ${opts.host}: anyone who can reach this machine and has the token can use the database\n`,
    );
  }
  const backend = startedRedis
    ? `in-memory redis-server on ${new URL(redisUrl).host}, password-protected, discarded on exit`
    : shownRedisUrl;
  // --demo stops by itself: no Ctrl-C to mention.
  io.stderr.write(`${profileNote}\nredis: ${backend}\nlocal endpoint ready${opts.demo ? "" : "; Ctrl-C to stop"}\n`);
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP. The handlers stay installed until
 * dispose(), after shutdown: a signal arriving meanwhile (a second Ctrl-C, or
 * the one conf's exit hook, when-exit, re-raises) must not kill the process before it has
 * closed the endpoint and stopped redis-server.
 */
function stopSignal(): { received: Promise<void>; dispose(): void } {
  let onSignal = () => {};
  const received = new Promise<void>((resolve) => {
    onSignal = () => resolve();
  });
  // SIGHUP: the terminal closed. Whatever else ends this process, its
  // redis-server dies with it (redis-process.ts).
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const signal of signals) process.on(signal, onSignal);
  return {
    received,
    dispose: () => {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
