// The REST token's shape, before it is sent: quotes or a line break from a
// .env file, a URL pasted in its place, or the Redis password, which is the
// classic cause of an HTTP 401 (it works for redis:// clients, never for REST).
import { describeStray, type RawValue } from "./raw-value.js";
import { REDIS_URL_VARS } from "./url-shape.js";
import type { Findings } from "./checks.js";

export function checkToken(f: Findings, token: RawValue, label: string, env: NodeJS.ProcessEnv): void {
  const stray = describeStray(token);
  if (stray) {
    f.add(
      "connection",
      "token-value",
      "fail",
      `the token in ${label} has ${stray}; checked further without them`,
      "remove them: the token is sent exactly as given",
    );
  }
  if (/\s/.test(token.value)) {
    f.add(
      "connection",
      "token-value",
      "fail",
      `the token in ${label} contains whitespace`,
      "copy the token again from the console's REST API section, in one piece",
    );
  } else if (/:\/\//.test(token.value)) {
    f.add(
      "connection",
      "token-value",
      "fail",
      `the token in ${label} is a URL`,
      "the token is the long string shown as UPSTASH_REDIS_REST_TOKEN in the console, not a URL",
    );
  } else {
    for (const name of REDIS_URL_VARS) {
      if (passwordOf(env[name]) === token.value) {
        f.add(
          "connection",
          "token-value",
          "warn",
          `the token in ${label} is the Redis password from ${name}`,
          "a Redis password is not a REST token: copy UPSTASH_REDIS_REST_TOKEN from the console's REST API section",
        );
      }
    }
  }
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const p = decodeURIComponent(new URL(url.trim()).password);
    return p || undefined;
  } catch {
    return undefined;
  }
}
