// Where the connection comes from, highest first (clig.dev's order: flags,
// then the environment, then configuration): --url/--token flags; a profile
// named with --profile (or UPSTASH_MEMORY_PROFILE, which names this tool's
// own profile and so beats the generic variables apps keep in .env files);
// the environment (UPSTASH_REDIS_REST_*, or Vercel's KV_REST_API_*); the
// default saved profile. Each value remembers its source, and a connection
// in the environment that a named profile overrode is kept, so `doctor` can
// explain both.
import { ConnectionError, UsageError } from "../errors/errors.js";
import { registerSecret } from "../errors/secrets.js";
import { isLoopbackUrl, transportOf } from "../store/url.js";
import type { GlobalOptions } from "../program/context.js";
import type { Profile, ProfileStore } from "./profiles.js";

export type SourceKind = "flag" | "env" | "profile";
export interface Source {
  kind: SourceKind;
  /** `--url`, `UPSTASH_REDIS_REST_URL`, `profile 'default'` */
  label: string;
}

export interface Resolved {
  url: string;
  token?: string;
  urlSource: Source;
  tokenSource?: Source;
  transport: "rest" | "redis";
  /** The profile whose settings (prefix, ttl, llm) apply, if any. */
  profileName?: string;
  profile?: Profile;
  prefix: string;
  /** A saved profile the user may think is active but env/flags override. */
  shadowedProfile?: string;
  /** A connection in the environment that a named profile (or --url) took precedence over. */
  ignoredEnv?: { url?: string; urlVar: string; tokenVar: string };
  warnings: string[];
}

const ENV_PAIRS = [
  ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
  ["KV_REST_API_URL", "KV_REST_API_TOKEN"],
] as const;

export const NOT_CONFIGURED = "no connection configured";

const HOW_TO_CONFIGURE =
  "pass --url and --token, set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or run `upstash-memory login`";

/** Nothing configured: one line naming the ways, or, when profiles exist, which ones and how to pick one. */
function notConfigured(saved: string[]): ConnectionError {
  if (!saved.length) return new ConnectionError(`${NOT_CONFIGURED}: ${HOW_TO_CONFIGURE}`);
  return new ConnectionError(
    `${NOT_CONFIGURED}, and no default profile: saved profiles: ${saved.join(", ")}`,
    `pass --profile NAME, or make one the default with \`upstash-memory config use NAME\``,
  );
}

export function envConnection(env: NodeJS.ProcessEnv): {
  url?: string;
  token?: string;
  urlVar?: string;
  tokenVar?: string;
} {
  for (const [u, t] of ENV_PAIRS) {
    // Stray spaces (a .env file, a copy from the console) are not part of either.
    const url = env[u]?.trim() || undefined;
    const token = env[t]?.trim() || undefined;
    if (url || token) return { url, token, urlVar: u, tokenVar: t };
  }
  return {};
}

/** Whether resolution can finish without reading the profile file. */
export function needsProfiles(g: GlobalOptions, env: NodeJS.ProcessEnv): boolean {
  if (g.profile || env.UPSTASH_MEMORY_PROFILE) return true;
  const e = envConnection(env);
  const url = g.url ?? e.url;
  if (!url) return true;
  return transportOf(url) === "rest" && !(g.token ?? e.token);
}

export function resolveConnection(g: GlobalOptions, env: NodeJS.ProcessEnv, profiles?: ProfileStore): Resolved {
  const named = g.profile
    ? { name: g.profile, label: "--profile" }
    : env.UPSTASH_MEMORY_PROFILE
      ? { name: env.UPSTASH_MEMORY_PROFILE, label: "UPSTASH_MEMORY_PROFILE" }
      : undefined;
  const profileName = named?.name ?? profiles?.currentName();
  const profile = profileName ? profiles?.get(profileName) : undefined;
  if (named && profiles && !profile) {
    const known = profiles.names();
    throw new UsageError(
      `no profile named '${named.name}'${named.label === "UPSTASH_MEMORY_PROFILE" ? " (from UPSTASH_MEMORY_PROFILE)" : ""}`,
      known.length ? `saved profiles: ${known.join(", ")}` : "create one with `upstash-memory login --profile NAME`",
    );
  }
  const e = envConnection(env);
  const profileSource: Source = { kind: "profile", label: `profile '${profileName}'` };
  // A named profile is chosen on purpose: the environment does not override it.
  const envApplies = !named;

  let url: string | undefined;
  let urlSource: Source | undefined;
  if (g.url?.trim()) [url, urlSource] = [g.url.trim(), { kind: "flag", label: "--url" }];
  else if (named && profile?.url) [url, urlSource] = [profile.url, profileSource];
  else if (envApplies && e.url) [url, urlSource] = [e.url, { kind: "env", label: e.urlVar! }];
  else if (profile?.url) [url, urlSource] = [profile.url, profileSource];
  if (!url || !urlSource) throw notConfigured(profiles?.names() ?? []);

  let token: string | undefined;
  let tokenSource: Source | undefined;
  const profileToken =
    profile?.token && (urlSource.kind === "profile" || profile.url === url) ? profile.token : undefined;
  if (g.token) [token, tokenSource] = [g.token, { kind: "flag", label: "--token" }];
  else if (named && profileToken) [token, tokenSource] = [profileToken, profileSource];
  else if (envApplies && e.token) [token, tokenSource] = [e.token, { kind: "env", label: e.tokenVar! }];
  else if (profileToken) [token, tokenSource] = [profileToken, profileSource];
  registerSecret(token);

  const transport = transportOf(url);
  if (transport === "rest" && !token) {
    throw new ConnectionError(
      `no token for ${url}`,
      "pass --token, set UPSTASH_REDIS_REST_TOKEN, or run `upstash-memory login`",
    );
  }
  // Profile settings follow the profile that supplied the connection, or the one named explicitly.
  const settingsApply = urlSource.kind === "profile" || Boolean(named);
  const activeProfile = settingsApply ? profile : undefined;
  const envUsed = urlSource.kind === "env" || tokenSource?.kind === "env";
  const warnings: string[] = [];
  if (/^http:\/\//i.test(url) && !isLoopbackUrl(url)) {
    warnings.push(`warning: ${new URL(url).host} is reached over plain http://: the token travels unencrypted`);
  }
  return {
    url,
    token: transport === "rest" ? token : undefined,
    urlSource,
    tokenSource: transport === "rest" ? tokenSource : undefined,
    transport,
    profileName: activeProfile ? profileName : undefined,
    profile: activeProfile,
    prefix: g.prefix ?? activeProfile?.prefix ?? "",
    shadowedProfile: !activeProfile && profile ? profileName : undefined,
    ignoredEnv: (e.url || e.token) && !envUsed ? { url: e.url, urlVar: e.urlVar!, tokenVar: e.tokenVar! } : undefined,
    warnings,
  };
}
