// The profile `dev` saves its URL and token under: `local`, or --save-profile
// NAME, or none with --no-save. It never replaces a profile that points
// anywhere but a local endpoint: a second `dev`, or one whose port is taken,
// must not repoint a profile someone set up for a real database.
import type { Profile, ProfileStore } from "../config/profiles.js";
import { isLoopbackUrl } from "../store/url.js";
import { redact } from "../errors/secrets.js";

export const DEV_PROFILE = "local";

/** A local dev endpoint: plain http to this machine, as `dev` serves. */
export function isLocalEndpoint(url: string | undefined): boolean {
  return typeof url === "string" && /^http:\/\//i.test(url) && isLoopbackUrl(url);
}

export type ProfilePlan =
  | { save: true; name: string; previous?: Profile }
  | { save: false; note: string; warning?: boolean };

/** What to do with profile `name`: save when it is absent or already a local endpoint, else leave it alone. */
export function planProfile(store: ProfileStore, name: string): ProfilePlan {
  const previous = store.get(name);
  if (!previous || isLocalEndpoint(previous.url)) return { save: true, name, previous };
  return {
    save: false,
    warning: true,
    note: `profile '${name}' points at ${redact(String(previous.url))}, not at a local endpoint: left as it is`,
  };
}

/** Save the endpoint under the planned name, keeping the profile's other settings (prefix, ttl, ...); says what it did. */
export function saveProfile(
  store: ProfileStore,
  plan: { name: string; previous?: Profile },
  endpoint: { url: string; token: string },
): string {
  store.save(plan.name, { ...plan.previous, url: endpoint.url, token: endpoint.token });
  const use = `use it with --profile ${plan.name}`;
  if (!plan.previous) return `saved as profile '${plan.name}' (${use})`;
  if (plan.previous.url === endpoint.url) return `updated the token of profile '${plan.name}' (${use})`;
  return `updated profile '${plan.name}', which pointed at ${plan.previous.url} (${use})`;
}
