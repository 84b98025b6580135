// Where the connection comes from, highest first: --url/--token flags; the
// environment (UPSTASH_REDIS_REST_*, or Vercel's KV_REST_API_*); --profile or
// UPSTASH_MEMORY_PROFILE; the default saved profile. Each value remembers its
// source so `doctor` can explain conflicts.
import { ConnectionError, UsageError } from "../errors.js";
import { registerSecret } from "../secrets.js";
import { transportOf } from "../store/connect.js";
import type { GlobalOptions } from "../context.js";
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
  warnings: string[];
}

const ENV_PAIRS = [
  ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
  ["KV_REST_API_URL", "KV_REST_API_TOKEN"],
] as const;

export const NOT_CONFIGURED =
  "no connection configured: pass --url and --token, set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or run `upstash-memory login`";

export function envConnection(env: NodeJS.ProcessEnv): { url?: string; token?: string; urlVar?: string; tokenVar?: string } {
  for (const [u, t] of ENV_PAIRS) {
    if (env[u] || env[t]) return { url: env[u] || undefined, token: env[t] || undefined, urlVar: u, tokenVar: t };
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
  const explicitProfile = g.profile ?? (env.UPSTASH_MEMORY_PROFILE || undefined);
  const profileName = explicitProfile ?? profiles?.currentName();
  const profile = profileName ? profiles?.get(profileName) : undefined;
  if (explicitProfile && profiles && !profile) {
    const known = profiles.names();
    throw new UsageError(
      `no profile named '${explicitProfile}'`,
      known.length ? `saved profiles: ${known.join(", ")}` : "create one with `upstash-memory login --profile NAME`",
    );
  }
  const e = envConnection(env);
  const profileSource: Source = { kind: "profile", label: `profile '${profileName}'` };

  let url: string | undefined;
  let urlSource: Source | undefined;
  if (g.url) [url, urlSource] = [g.url, { kind: "flag", label: "--url" }];
  else if (e.url) [url, urlSource] = [e.url, { kind: "env", label: e.urlVar! }];
  else if (profile?.url) [url, urlSource] = [profile.url, profileSource];
  if (!url || !urlSource) throw new ConnectionError(NOT_CONFIGURED);

  let token: string | undefined;
  let tokenSource: Source | undefined;
  if (g.token) [token, tokenSource] = [g.token, { kind: "flag", label: "--token" }];
  else if (e.token) [token, tokenSource] = [e.token, { kind: "env", label: e.tokenVar! }];
  else if (profile?.token && (urlSource.kind === "profile" || profile.url === url)) {
    [token, tokenSource] = [profile.token, profileSource];
  }
  registerSecret(token);

  const transport = transportOf(url);
  if (transport === "rest" && !token) {
    throw new ConnectionError(`no token for ${url}`, "pass --token, set UPSTASH_REDIS_REST_TOKEN, or run `upstash-memory login`");
  }
  // Profile settings follow the profile that supplied the connection, or the one named explicitly.
  const settingsApply = urlSource.kind === "profile" || Boolean(explicitProfile);
  const activeProfile = settingsApply ? profile : undefined;
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
    warnings,
  };
}

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\./.test(host);
  } catch {
    return false;
  }
}
