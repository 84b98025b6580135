// Connection, part 1: where the URL and token come from, before anything is
// sent. Unlike other commands, doctor never stops here: a connection that
// cannot be resolved is a failed check, and a saved profile hidden by the
// environment is reported, because "I logged in to the other database" is a
// common reason for looking at the wrong conversations.
import fs from "node:fs";
import path from "node:path";
import type { Context, GlobalOptions } from "../program/context.js";
import { NOT_CONFIGURED, resolveConnection, type Resolved } from "../config/resolve.js";
import { CONFIG_FILE, configDir, type Profile, type ProfileStore } from "../config/profiles.js";
import { loadProfiles } from "../program/connection.js";
import { CliError } from "../errors/errors.js";
import { maskToken, registerSecret } from "../errors/secrets.js";
import { cleanValue, type RawValue } from "./raw-value.js";
import type { Findings } from "./checks.js";

/** The environment variables that can hold a connection (see config/resolve.ts). */
const CONNECTION_VARS = ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "KV_REST_API_URL", "KV_REST_API_TOKEN"];

export interface Target {
  resolved: Resolved;
  url: RawValue;
  /** Only for REST: redis:// URLs carry their password. */
  token?: RawValue;
  /** Where the URL / token came from: `--url`, `UPSTASH_REDIS_REST_URL`, `profile 'default'`. */
  urlLabel: string;
  tokenLabel?: string;
}

const HOW_TO_CONFIGURE =
  "pass --url and --token, set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or run `upstash-memory login`";

export async function checkConfiguration(f: Findings, ctx: Context, g: GlobalOptions): Promise<Target | undefined> {
  // Read the profiles even when env or flags configure everything: only then
  // can a saved profile they override be reported. Without a config file
  // (and no profile asked for) there is nothing to read, and doctor, which
  // only looks, does not create the config directory.
  let profiles: ProfileStore | undefined;
  const asked = g.profile ?? ctx.io.env.UPSTASH_MEMORY_PROFILE;
  try {
    if (asked || fs.existsSync(path.join(configDir(ctx.io.env), CONFIG_FILE))) profiles = await loadProfiles(ctx);
  } catch (err) {
    const failure = err as CliError;
    f.add("connection", "profiles", "fail", failure.message, failure.hint);
  }

  // Resolve with cleaned flag and env values, remembering each raw value by
  // the label resolution reports as its source.
  const raw = new Map<string, string>();
  const cleanInput = (label: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    raw.set(label, value);
    const clean = cleanValue(value).value;
    if (/token/i.test(label)) registerSecret(clean);
    return clean;
  };
  const cleanGlobals: GlobalOptions = { ...g, url: cleanInput("--url", g.url), token: cleanInput("--token", g.token) };
  const cleanEnv: NodeJS.ProcessEnv = { ...ctx.io.env };
  for (const name of CONNECTION_VARS) cleanEnv[name] = cleanInput(name, ctx.io.env[name]);

  let resolved: Resolved;
  try {
    resolved = resolveConnection(cleanGlobals, cleanEnv, profiles);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    // With saved profiles the message names them and the hint says how to pick one.
    if (err.message.startsWith(NOT_CONFIGURED))
      f.add("connection", "configured", "fail", err.hint ? err.message : NOT_CONFIGURED, err.hint ?? HOW_TO_CONFIGURE);
    else f.add("connection", "configured", "fail", err.message, err.hint ?? HOW_TO_CONFIGURE);
    return undefined;
  }

  const target: Target = {
    resolved,
    url: cleanValue(raw.get(resolved.urlSource.label) ?? resolved.url),
    urlLabel: resolved.urlSource.label,
  };
  if (resolved.token !== undefined && resolved.tokenSource) {
    target.token = cleanValue(raw.get(resolved.tokenSource.label) ?? resolved.token);
    target.tokenLabel = resolved.tokenSource.label;
    registerSecret(target.token.value);
  }
  f.add("connection", "source", "info", describeSource(target));
  if (profiles) checkShadowing(f, target, profiles);
  checkIgnoredEnv(f, target);
  return target;
}

function describeSource(t: Target): string {
  const r = t.resolved;
  const parts = [`URL from ${t.urlLabel}`];
  if (t.token && t.tokenLabel) parts.push(`token from ${t.tokenLabel} (${maskToken(t.token.value)})`);
  else if (r.transport === "redis") parts.push("no token needed (the password is in the redis:// URL)");
  let text = parts.join(", ");
  if (r.profileName) {
    const settings = [
      r.profile?.prefix ? `prefix '${r.profile.prefix}'` : "",
      r.profile?.ttl ? `ttl ${r.profile.ttl}` : "",
    ].filter(Boolean);
    text += `; profile '${r.profileName}' applies${settings.length ? ` (${settings.join(", ")})` : ""}`;
  }
  if (r.prefix && r.prefix !== r.profile?.prefix) text += `; prefix '${r.prefix}'`;
  return text;
}

/** A saved profile the user may believe is in use, while env or flags decide. */
function checkShadowing(f: Findings, t: Target, profiles: ProfileStore): void {
  const r = t.resolved;
  if (r.shadowedProfile) {
    const p = profiles.get(r.shadowedProfile);
    if (!p) return;
    const ignored = ignoredSettings(p);
    const sameStore = sameHost(p.url, t.url.value);
    const where = sameStore ? "the same database" : `another database (${hostOf(p.url)})`;
    const message = `${t.urlLabel} overrides saved profile '${r.shadowedProfile}', which points to ${where}${
      ignored.length ? `; its ${ignored.join(" and ")} ${ignored.length === 1 ? "is" : "are"} not applied` : ""
    }`;
    const hint =
      t.resolved.urlSource.kind === "env"
        ? `unset ${t.urlLabel}${t.tokenLabel && t.tokenLabel !== t.urlLabel ? ` and ${t.tokenLabel}` : ""}, or pass --profile ${r.shadowedProfile}: a named profile comes before the environment`
        : `leave out --url/--token to use the profile, or add --profile ${r.shadowedProfile} to apply its settings`;
    f.add(
      "connection",
      "shadowed",
      sameStore && !ignored.length ? "info" : "warn",
      message,
      sameStore && !ignored.length ? undefined : hint,
    );
    return;
  }
  // A profile named explicitly still gives its prefix and ttl, but --url
  // gives the URL: the two may not belong together.
  if (r.profileName && r.profile && r.urlSource.kind !== "profile" && !sameHost(r.profile.url, t.url.value)) {
    f.add(
      "connection",
      "shadowed",
      "warn",
      `profile '${r.profileName}' is selected but ${t.urlLabel} supplies the URL (${hostOf(t.url.value)} instead of ${hostOf(r.profile.url)}); only the profile's prefix and ttl apply`,
      `leave out ${t.urlLabel} to connect with the profile`,
    );
  }
}

/** A connection in the environment that a named profile or --url took precedence over. */
function checkIgnoredEnv(f: Findings, t: Target): void {
  const e = t.resolved.ignoredEnv;
  if (!e) return;
  const by =
    t.resolved.urlSource.kind === "flag"
      ? t.urlLabel
      : `${t.urlLabel} (named with --profile or UPSTASH_MEMORY_PROFILE)`;
  const vars = e.url ? e.urlVar : e.tokenVar;
  const elsewhere = e.url !== undefined && !sameHost(e.url, t.url.value);
  f.add(
    "connection",
    "env-ignored",
    elsewhere ? "warn" : "info",
    `${vars} is set but not used: ${by} comes first${elsewhere ? `; the environment points to another database (${hostOf(e.url!)})` : ""}`,
    elsewhere
      ? `a .env file or shell profile sets it; unset ${e.urlVar} and ${e.tokenVar} if that database is not meant for this tool`
      : undefined,
  );
}

function ignoredSettings(p: Profile): string[] {
  return [p.prefix ? `prefix '${p.prefix}'` : "", p.ttl ? `ttl ${p.ttl}` : ""].filter(Boolean);
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "an unreadable URL";
  }
}

function sameHost(a: string, b: string): boolean {
  return hostOf(a) === hostOf(b) && hostOf(a) !== "an unreadable URL";
}
