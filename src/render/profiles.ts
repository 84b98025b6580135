// Profiles for `config list/show` and `login`: tokens are always masked.
import type { Profile } from "../config/profiles.js";
import { maskToken, redact } from "../errors/secrets.js";
import type { Output } from "./output.js";
import { printTable } from "./table.js";
import { sanitizeLine } from "../text/sanitize.js";

/**
 * What login tells a person: where the profile went, whether it is the default
 * now (else which one is), and a warning for a token that may only read (with
 * --json only the warning: the rest is in the JSON).
 */
export function loginLines(
  r: { profile: string; pingMs: number; readOnly: boolean; current: boolean; file: string },
  currentName: string,
  json: boolean,
): string[] {
  const lines: string[] = [];
  if (!json) {
    const which = r.current
      ? `'${r.profile}' is the default profile`
      : `the default is still '${currentName}' (\`upstash-memory config use ${r.profile}\` switches)`;
    lines.push(`✓ connected (PING ${r.pingMs} ms); saved profile '${r.profile}' in ${r.file}; ${which}`);
  }
  if (r.readOnly)
    lines.push(
      "warning: this token can only read: append, expire, clear, import, summarize --store and repair will be refused",
    );
  return lines;
}

export function profileJson(name: string, p: Profile, current: boolean): Record<string, unknown> {
  return {
    name,
    current,
    // A redis:// URL may carry the password.
    url: redact(p.url),
    token: p.token ? maskToken(p.token) : null,
    prefix: p.prefix ?? "",
    ttl: p.ttl ?? null,
    llm: p.llm
      ? {
          baseUrl: p.llm.baseUrl ?? null,
          model: p.llm.model ?? null,
          apiKey: p.llm.apiKey ? maskToken(p.llm.apiKey) : null,
        }
      : null,
    flowise: p.flowise ? { sessionId: p.flowise.sessionId } : null,
  };
}

export const NO_PROFILES =
  "no saved profiles: add one with `upstash-memory login` (or `upstash-memory login --profile NAME --url URL`), or start a local endpoint with `upstash-memory dev`, which saves `local`";

export async function renderProfileList(out: Output, rows: Record<string, unknown>[]): Promise<void> {
  if (!rows.length) {
    out.warn(NO_PROFILES);
    return;
  }
  if (!out.tty) {
    // name, current (*), url, token, prefix, ttl: the name field is only ever the name.
    for (const r of rows)
      await out.tsv([
        String(r.name),
        r.current ? "*" : "",
        String(r.url),
        String(r.token ?? ""),
        String(r.prefix),
        String(r.ttl ?? ""),
      ]);
    return;
  }
  const s = await out.styles();
  await printTable(out, {
    columns: [
      { header: "profile" },
      { header: "url", flex: true },
      { header: "token" },
      { header: "prefix" },
      { header: "ttl" },
    ],
    rows: rows.map((r) =>
      [
        `${r.current ? "* " : "  "}${r.name}`,
        String(r.url),
        String(r.token ?? ""),
        String(r.prefix),
        String(r.ttl ?? ""),
      ].map(sanitizeLine),
    ),
    headerStyle: s.dim,
  });
}

export async function renderProfile(out: Output, r: Record<string, unknown>): Promise<void> {
  const llm = r.llm as Record<string, unknown> | null;
  const lines: [string, unknown][] = [
    ["profile", `${r.name}${r.current ? " (current)" : ""}`],
    ["url", r.url],
    ["token", r.token ?? ""],
    ["prefix", r.prefix],
    ["ttl", r.ttl ?? ""],
    ["llm.baseUrl", llm?.baseUrl ?? ""],
    ["llm.model", llm?.model ?? ""],
    ["llm.apiKey", llm?.apiKey ?? ""],
    ["flowise.sessionId", (r.flowise as { sessionId: string } | null)?.sessionId ?? ""],
  ];
  for (const [k, v] of lines) {
    if (out.tty) await out.line(`${k.padEnd(17)} ${v}`);
    else await out.tsv([k, String(v)]);
  }
}
