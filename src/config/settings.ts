// `config set KEY VALUE`: the keys a profile holds, each validated before saving.
import { UsageError } from "../errors/errors.js";
import { parseDuration } from "../duration/duration.js";
import type { Profile } from "./profiles.js";

export const SETTING_KEYS = [
  "url",
  "token",
  "prefix",
  "ttl",
  "model",
  "llm.baseUrl",
  "llm.model",
  "llm.apiKey",
  "flowise.sessionId",
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];
export const SECRET_KEYS: readonly string[] = ["token", "llm.apiKey"];

/** The schemes each URL setting may use (`localhost:11434` parses as a URL with scheme "localhost:"). */
const SCHEMES: Record<string, string[]> = {
  url: ["https:", "http:", "redis:", "rediss:"],
  "llm.baseUrl": ["https:", "http:"],
};

function check(key: SettingKey, value: string): string {
  switch (key) {
    case "url":
    case "llm.baseUrl": {
      const text = value.trim();
      let scheme: string | undefined;
      try {
        scheme = new URL(text).protocol;
      } catch {
        scheme = undefined;
      }
      if (!scheme || !SCHEMES[key].includes(scheme)) {
        const example = key === "url" ? "https://…upstash.io or redis://…" : "http://localhost:11434/v1";
        throw new UsageError(
          `invalid ${key} '${value}': expected a URL starting with ${SCHEMES[key].map((s) => `${s}//`).join(" or ")}`,
          `e.g. ${example}`,
        );
      }
      return text.replace(/\/+$/, "");
    }
    case "token":
    case "llm.apiKey":
      // An empty token would leave the profile unable to connect: `config unset token` removes it.
      if (!value.trim())
        throw new UsageError(`${key} cannot be empty`, `to remove it: upstash-memory config unset ${key}`);
      return value.trim();
    case "ttl":
      parseDuration(value, "ttl");
      return value.trim();
    case "model":
      if (!value.trim()) throw new UsageError("empty model name", "e.g. upstash-memory config set model gpt-4o");
      return value.trim();
    default:
      return value;
  }
}

export function applySetting(profile: Profile, key: string, value: string | undefined): Profile {
  if (!(SETTING_KEYS as readonly string[]).includes(key)) {
    throw new UsageError(`unknown setting '${key}'`, `settings: ${SETTING_KEYS.join(", ")}`);
  }
  const k = key as SettingKey;
  const next: Profile = { ...profile, llm: profile.llm ? { ...profile.llm } : undefined };
  const v = value === undefined ? undefined : check(k, value);
  if (k.startsWith("llm.")) {
    const field = k.slice(4) as keyof NonNullable<Profile["llm"]>;
    next.llm = { ...(next.llm ?? {}) };
    if (v === undefined) delete next.llm[field];
    else next.llm[field] = v;
    if (!Object.keys(next.llm).length) delete next.llm;
  } else if (k === "flowise.sessionId") {
    // The memory node's own Session Id: doctor names the key its wrapped LangChain memory reads.
    if (v === undefined) delete next.flowise;
    else next.flowise = { sessionId: v };
  } else if (k === "url") {
    if (v === undefined) throw new UsageError("a profile needs a url");
    next.url = v;
  } else {
    const field = k as "token" | "prefix" | "ttl" | "model";
    if (v === undefined) delete next[field];
    else next[field] = v;
  }
  if (!next.llm) delete next.llm;
  return next;
}
