// Lists and conversations as a person reads them on a real pseudo-terminal, at
// 80 and 200 columns: one line per session, no line wider than the window,
// every message complete in `history show`.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import stringWidth from "string-width";
import { runInPty, screenLines } from "../harness/pty.js";
import { appRedis, connectionEnv, writeConversation } from "../harness/transports.js";

const msg = (type: string, content: string) => JSON.stringify({ type, data: { content, additional_kwargs: {}, response_metadata: {} } });

const CJK = "東京から大阪まで新幹線で行きたいです。一番早い列車は何時に出発しますか？指定席と自由席の違いも教えてください。".repeat(3);
const URL_TEXT = `The booking page is https://example.com/trains/search?from=tokyo&to=osaka&date=2025-05-01&class=green&${"x".repeat(120)}=1 and it works.`;
const CODE = [
  "Here is the fix:",
  "",
  "function fare(route, seat) {",
  "\tif (seat === 'green') {",
  "\t\treturn route.base * 1.5 + computeSeatSupplementForRoute(route.operator, route.distanceInKilometres, seat);",
  "\t}",
  "    return route.base; // four spaces",
  "}",
].join("\n");
const EMOJI = "Dogs are welcome 🐕 on the train ☕ — bring a carrier 👍🏽 and a ticket for 🇵🇹 trains too. ".repeat(4);

let app: IORedis;
let prefix: string;
beforeAll(async () => {
  app = appRedis();
  prefix = `term${randomUUID().slice(0, 8)}:`;
  await writeConversation(app, `${prefix}cjk`, [msg("human", CJK), msg("ai", "はい、わかりました。")], 3600);
  await writeConversation(app, `${prefix}url`, [msg("human", "where do I book?"), msg("ai", URL_TEXT)]);
  await writeConversation(app, `${prefix}code`, [msg("human", "fix my fare function"), msg("ai", CODE)]);
  await writeConversation(app, `${prefix}emoji`, [msg("human", EMOJI)]);
  await writeConversation(app, `${prefix}4f9d2c1e-8b7a-4e3f-9a21-6c5d0e7b3a18`, [msg("human", "a Flowise chat id")]);
});
afterAll(() => app.quit());

const env = () => connectionEnv("rest");
const ids = ["cjk", "url", "code", "emoji", "4f9d2c1e-8b7a-4e3f-9a21-6c5d0e7b3a18"];
const noSpace = (s: string) => s.replace(/\s+/g, "");

function expectFits(lines: string[], columns: number) {
  const wide = lines.filter((l) => stringWidth(l) > columns);
  expect(wide).toEqual([]);
}

describe.each([80, 200])("at %i columns", (columns) => {
  it("sessions list: a header and one line per session, none wider than the terminal", async () => {
    const r = await runInPty(["sessions", "list", "--prefix", prefix], [], { env: env(), columns });
    expect(r.code).toBe(0);
    const lines = screenLines(r.screen).filter((l) => l.trim());
    expectFits(lines, columns);
    expect(lines[0]).toMatch(/^SESSION\s+MESSAGES\s+TTL\s+LAST MESSAGE$/);
    for (const id of ids) expect(lines.filter((l) => l.startsWith(id + " ")).length).toBe(1);
    // Rows and the header, then the count on stderr: nothing else, no borders.
    expect(lines.length).toBe(ids.length + 2);
    expect(r.screen).not.toMatch(/[┌│└─]/);
    const cjkRow = lines.find((l) => l.startsWith("cjk "))!;
    expect(cjkRow).toMatch(/assistant: はい/);
    const urlRow = lines.find((l) => l.startsWith("url "))!;
    expect(urlRow.endsWith("…")).toBe(true);
  });

  it("history show: every message complete, wrapped with a hanging indent, code indentation kept", async () => {
    for (const [id, text, index] of [["cjk", CJK, 1], ["url", URL_TEXT, 2], ["code", CODE, 2], ["emoji", EMOJI, 1]] as const) {
      const r = await runInPty(["history", "show", id, "--prefix", prefix], [], { env: env(), columns });
      expect(r.code).toBe(0);
      const lines = screenLines(r.screen).filter((l) => l.trim());
      expectFits(lines, columns);
      // Every character of the message, in order, whatever the wrapping.
      expect(noSpace(lines.join("\n"))).toContain(noSpace(text.replace(/\t/g, "")));
      // The message's continuation lines start under its text, after the index and role.
      const head = /^(\s*\d+\s{2}\S+\s+)/;
      const at = lines.findIndex((l) => head.test(l) && l.trim().startsWith(`${index} `));
      const indent = head.exec(lines[at])![1].length;
      const rest = lines.slice(at + 1);
      const next = rest.findIndex((l) => head.test(l) && /^\s*\d+ /.test(l));
      const continuation = next === -1 ? rest : rest.slice(0, next);
      expect(continuation.length).toBeGreaterThan(0);
      for (const l of continuation) expect(l.slice(0, indent).trim()).toBe("");
      if (id === "code") {
        const ret = lines.find((l) => l.includes("return route.base;"))!;
        const fn = lines.find((l) => l.includes("function fare"))!;
        expect(ret.indexOf("return") - fn.indexOf("function")).toBe(4);
      }
    }
  });
});
