// `doctor` findings. Piped: one stable line per check, `<symbol> <id>  <message>`,
// followed by `    hint: <fix>` when there is one, easy to grep in CI logs.
// On a terminal: grouped by section, coloured, one line per check cut to the
// width (whole, with check ids, under --verbose), each fix wrapped below it,
// then a summary. Findings quote
// stored data (key names, element snippets), so every line is sanitised; and
// redacted, so no token can reach the screen through a message.
import { SECTIONS, type Check, type CheckStatus, type Section } from "../doctor/checks.js";
import { redact } from "../errors/secrets.js";
import type { Output, Styles } from "./output.js";
import { sanitizeLine } from "../text/sanitize.js";
import { plural } from "../text/plural.js";
import { textWidth } from "../text/text-width.js";

export const SYMBOLS: Record<CheckStatus, string> = { pass: "✓", warn: "!", fail: "✗", info: "i" };

const TITLES: Record<Section, string> = {
  connection: "Connection",
  key: "Session key",
  health: "Key health",
  content: "Content",
  cost: "Cost per chat turn",
  context: "What the model sees",
};

const text = (s: string) => sanitizeLine(redact(s));

export function doctorJson(checks: Check[]): { checks: Record<string, unknown>[] } {
  return {
    checks: checks.map((c) => ({
      id: c.id,
      section: c.section,
      status: c.status,
      message: redact(c.message),
      hint: c.hint ? redact(c.hint) : null,
      ...(c.elements ? { elements: c.elements } : {}),
    })),
  };
}

/** The plain findings: `<symbol> <id>  <message>`, then `    hint: <fix>` when there is one. */
export function doctorLines(checks: Check[]): string[] {
  return checks.flatMap((c) => [
    `${SYMBOLS[c.status]} ${c.id}  ${text(c.message)}`,
    ...(c.hint ? [`    hint: ${text(c.hint)}`] : []),
  ]);
}

export async function renderDoctor(out: Output, checks: Check[], json: boolean, verbose = false): Promise<void> {
  if (json) return out.json(doctorJson(checks));
  if (!out.tty) return out.lines(doctorLines(checks));
  const s = await out.styles();
  const tw = await textWidth();
  const hanging = (first: string, rest: string, t: string, width: number) =>
    tw
      .wrap(t, Math.max(width - first.length, 20))
      .split("\n")
      .map((l, i) => (i ? rest : first) + l);
  for (const section of SECTIONS) {
    const inSection = checks.filter((c) => c.section === section);
    if (!inSection.length) continue;
    await out.line(s.bold(TITLES[section]));
    for (const c of inSection) {
      const lead = `  ${symbol(s, c.status)} `;
      if (verbose) {
        const lines = hanging("    ", "    ", `${text(c.message)}  [${c.id}]`, out.columns);
        await out.line(lead + lines[0].slice(4));
        for (const l of lines.slice(1)) await out.line(l);
      } else await out.line(lead + tw.truncate(text(c.message), out.columns - 4));
      if (c.hint) for (const l of hanging("      → ", "        ", text(c.hint), out.columns)) await out.line(s.dim(l));
    }
    await out.line();
  }
  await out.line(summary(s, checks));
}

function symbol(s: Styles, status: CheckStatus): string {
  const style = status === "pass" ? s.ok : status === "warn" ? s.warn : status === "fail" ? s.fail : s.dim;
  return style(SYMBOLS[status]);
}

function summary(s: Styles, checks: Check[]): string {
  const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
  const failed = count("fail");
  const warned = count("warn");
  const parts = [`${failed} failed`, plural(warned, "warning"), `${count("pass")} passed`];
  const line = parts.join(" · ");
  return failed ? s.fail(`✗ ${line}`) : warned ? s.warn(`! ${line}`) : s.ok(`✓ ${line}`);
}
