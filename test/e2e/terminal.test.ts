// Lists and conversations as a person reads them on a real pseudo-terminal, at
// 80 and 200 columns: one line per session, no line wider than the window,
// every message complete in `history show`.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import stringWidth from "string-width";
import { runInPty, screenLines } from "../harness/pty.js";
import { runCli } from "../harness/cli.js";
import { appRedis, connectionEnv, writeConversation } from "../harness/transports.js";

const msg = (type: string, content: string) =>
  JSON.stringify({ type, data: { content, additional_kwargs: {}, response_metadata: {} } });

const CJK =
  "東京から大阪まで新幹線で行きたいです。一番早い列車は何時に出発しますか？指定席と自由席の違いも教えてください。".repeat(
    3,
  );
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
    const r = await runInPty(["sessions", "list", "--prefix", prefix, "--no-pager"], [], { env: env(), columns });
    expect(r.code).toBe(0);
    const lines = screenLines(r.screen).filter((l) => l.trim());
    expectFits(lines, columns);
    expect(lines[0]).toMatch(/^SESSION\s+MESSAGES\s+TTL\s+LAST MESSAGE$/);
    for (const id of ids) expect(lines.filter((l) => l.startsWith(`${id} `)).length).toBe(1);
    // Rows and the header, then the count on stderr: nothing else, no borders.
    expect(lines.length).toBe(ids.length + 2);
    expect(r.screen).not.toMatch(/[┌│└─]/);
    const cjkRow = lines.find((l) => l.startsWith("cjk "))!;
    expect(cjkRow).toMatch(/assistant: はい/);
    const urlRow = lines.find((l) => l.startsWith("url "))!;
    expect(urlRow.endsWith("…")).toBe(true);
  });

  it("history show: every message complete, wrapped with a hanging indent, code indentation kept", async () => {
    for (const [id, text, index] of [
      ["cjk", CJK, 1],
      ["url", URL_TEXT, 2],
      ["code", CODE, 2],
      ["emoji", EMOJI, 1],
    ] as const) {
      const r = await runInPty(["history", "show", id, "--prefix", prefix, "--no-pager"], [], { env: env(), columns });
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

describe("pager", () => {
  let many: string;
  beforeAll(async () => {
    many = `pg${randomUUID().slice(0, 8)}:`;
    for (let i = 0; i < 15; i++)
      await writeConversation(app, `${many}s${String(i).padStart(2, "0")}`, [msg("human", `question ${i}`)]);
  });

  const recorder = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-pager-"));
    const file = path.join(dir, "seen.txt");
    return { file, command: `tee ${file}`, seen: () => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null) };
  };

  it("output longer than the screen goes through UPSTASH_MEMORY_PAGER; short output does not", async () => {
    const p = recorder();
    const long = await runInPty(["sessions", "list", "--prefix", many], [], {
      env: { ...env(), UPSTASH_MEMORY_PAGER: p.command },
      columns: 80,
      rows: 10,
    });
    expect(long.code).toBe(0);
    const seen = p.seen()!;
    for (let i = 0; i < 15; i++) expect(seen).toContain(`s${String(i).padStart(2, "0")} `);
    expect(seen.split("\n")[0]).toMatch(/SESSION/);
    // The count goes to stderr, after the pager is done.
    expect(seen).not.toContain("15 sessions");
    expect(long.screen).toContain("15 sessions");
    const q = recorder();
    const short = await runInPty(["sessions", "list", "--prefix", many], [], {
      env: { ...env(), UPSTASH_MEMORY_PAGER: q.command },
      columns: 80,
      rows: 40,
    });
    expect(short.code).toBe(0);
    expect(q.seen()).toBeNull();
    expect(short.screen).toContain("s14 ");
  });

  it("PAGER is used when UPSTASH_MEMORY_PAGER is unset; --no-pager and an empty UPSTASH_MEMORY_PAGER turn it off", async () => {
    const p = recorder();
    await runInPty(["history", "show", "code", "--prefix", prefix], [], {
      env: { ...env(), PAGER: p.command },
      columns: 80,
      rows: 6,
    });
    expect(p.seen()).toContain("function fare");
    const q = recorder();
    const off = await runInPty(["history", "show", "code", "--prefix", prefix, "--no-pager"], [], {
      env: { ...env(), PAGER: q.command },
      columns: 80,
      rows: 6,
    });
    expect(off.code).toBe(0);
    expect(q.seen()).toBeNull();
    expect(off.screen).toContain("function fare");
    const r = recorder();
    await runInPty(["history", "show", "code", "--prefix", prefix], [], {
      env: { ...env(), PAGER: r.command, UPSTASH_MEMORY_PAGER: "" },
      columns: 80,
      rows: 6,
    });
    expect(r.seen()).toBeNull();
  });

  it("a pager that fails or is not found: the output is printed directly, after a warning naming it", async () => {
    for (const pager of ["false", "nonexistent-pager-x", "sh -c 'exit 3'"]) {
      const r = await runInPty(["sessions", "list", "--prefix", many], [], {
        env: { ...env(), PAGER: pager },
        columns: 80,
        rows: 10,
      });
      expect({ pager, code: r.code }).toEqual({ pager, code: 0 });
      for (let i = 0; i < 15; i++) expect(r.screen).toContain(`s${String(i).padStart(2, "0")} `);
      const warnings = screenLines(r.screen).filter((l) => l.includes(`the pager '${pager}'`));
      expect({ pager, warnings: warnings.length }).toEqual({ pager, warnings: 1 });
      expect(r.screen).not.toMatch(/sh: .*nonexistent/);
    }
  });

  it("never pages piped output or --follow", async () => {
    const p = recorder();
    const piped = await runCli(["sessions", "list", "--prefix", many], {
      env: { ...env(), UPSTASH_MEMORY_PAGER: p.command },
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout.trim().split("\n")).toHaveLength(15);
    expect(p.seen()).toBeNull();
    const q = recorder();
    const follow = await runInPty(
      ["history", "show", "code", "--prefix", prefix, "--follow", "--for", "1s", "--interval", "200ms"],
      [],
      {
        env: { ...env(), UPSTASH_MEMORY_PAGER: q.command },
        columns: 80,
        rows: 6,
      },
    );
    expect(follow.code).toBe(0);
    expect(follow.screen).toContain("function fare");
    expect(q.seen()).toBeNull();
  });

  it("--limit says how much of the list it did not show", async () => {
    const r = await runCli(["sessions", "list", "--prefix", many, "--limit", "2"], { env: env() });
    expect(r.stdout.trim().split("\n")).toHaveLength(2);
    expect(r.stderr).toMatch(/^showing 2 of at least \d+ sessions$/m);
    const sorted = await runCli(["sessions", "list", "--prefix", many, "--limit", "2", "--sort", "count", "--json"], {
      env: env(),
    });
    expect(JSON.parse(sorted.stdout)).toHaveLength(2);
    expect(sorted.stderr).toMatch(/^showing 2 of 15 sessions$/m);
    const nd = await runCli(["sessions", "list", "--prefix", many, "--limit", "3", "--ndjson"], { env: env() });
    expect(nd.stdout.trim().split("\n")).toHaveLength(3);
    expect(nd.stderr).toMatch(/^showing 3 of at least \d+ sessions$/m);
    const all = await runCli(["sessions", "list", "--prefix", many, "--limit", "50"], { env: env() });
    expect(all.stderr).not.toContain("showing");
  });
});

describe("confirmations name what changes", () => {
  it("clear --match lists up to 10 sessions with their message counts, then how many more", async () => {
    const p = `cf${randomUUID().slice(0, 8)}:`;
    for (let i = 0; i < 12; i++)
      await writeConversation(
        app,
        `${p}c${String(i).padStart(2, "0")}`,
        Array.from({ length: (i % 3) + 1 }, (_, k) => msg("human", `m${k}`)),
      );
    const r = await runInPty(
      ["clear", "--match", "*", "--prefix", p],
      [{ waitFor: "delete 12 sessions, 24 messages?", send: "n\r" }],
      { env: env() },
    );
    expect(r.code).toBe(1);
    const lines = screenLines(r.screen);
    expect(lines.some((l) => /^\s+c00\s+1 message$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+c02\s+3 messages$/.test(l))).toBe(true);
    expect(lines.filter((l) => /^\s+c\d\d\s+\d+ messages?$/.test(l))).toHaveLength(10);
    expect(lines.some((l) => /^\s+and 2 more$/.test(l))).toBe(true);
    expect(await app.exists(`${p}c00`, `${p}c11`)).toBe(2);
    const interrupted = await runInPty(
      ["clear", "--match", "*", "--prefix", p],
      [{ waitFor: "delete 12 sessions, 24 messages?", send: "\u0003" }],
      { env: env() },
    );
    expect(interrupted.code).toBe(130);
    expect(await app.exists(`${p}c00`, `${p}c11`)).toBe(2);
  });

  it("summarize --store shows the summary and warns that it folds the system prompt, before asking; Ctrl-C exits 130", async () => {
    const id = `sum-${randomUUID().slice(0, 8)}`;
    const conversation = [
      msg("system", "You are a travel assistant for Lisbon. Answer briefly."),
      msg("human", "Which tram goes to Belém from the centre?"),
      msg("ai", "Tram 15 runs from Praça da Figueira to Belém every few minutes."),
      msg("human", "Is the Jerónimos Monastery open on Mondays?"),
      msg("ai", "No, the monastery is closed on Mondays; go on Tuesday morning."),
      msg("human", "Thanks, and pastéis de nata near there?"),
      msg("ai", "Pastéis de Belém, next to the monastery, since 1837."),
    ];
    await writeConversation(app, id, conversation);
    const before = await app.lrange(id, 0, -1);
    const args = ["summarize", id, "--store", "--keep", "2", "--engine", "extractive"];
    const no = await runInPty(args, [{ waitFor: "with a summary?", send: "n\r" }], { env: env() });
    expect(no.code).toBe(1);
    const text = screenLines(no.screen).join("\n");
    const shown = text.indexOf("summary to store in");
    const warned = text.indexOf("folds in system message 1");
    const asked = text.indexOf("with a summary?");
    expect(shown).toBeGreaterThan(-1);
    expect(warned).toBeGreaterThan(shown);
    expect(asked).toBeGreaterThan(warned);
    expect(text).toMatch(new RegExp(`${id}\\s+7 messages`));
    expect(await app.lrange(id, 0, -1)).toEqual(before);
    const interrupted = await runInPty(args, [{ waitFor: "with a summary?", send: "\u0003" }], { env: env() });
    expect(interrupted.code).toBe(130);
    expect(await app.lrange(id, 0, -1)).toEqual(before);
    const yes = await runInPty(args, [{ waitFor: "with a summary?", send: "y\r" }], { env: env() });
    expect(yes.code).toBe(0);
    const after = await app.lrange(id, 0, -1);
    expect(after).toHaveLength(3);
    // What was shown is what was stored.
    const stored = (JSON.parse(after[after.length - 1]).data.content as string).replace(
      /^Summary of the earlier conversation:\s*/,
      "",
    );
    const shownText = noSpace(screenLines(yes.screen).join("\n"));
    expect(shownText.indexOf(noSpace(stored))).toBeGreaterThan(-1);
    expect(shownText.indexOf(noSpace(stored))).toBeLessThan(shownText.indexOf("withasummary?"));
  });

  it("import --replace names the sessions of the file", async () => {
    const p = `imp${randomUUID().slice(0, 6)}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-imp-"));
    const file = path.join(dir, "x.jsonl");
    fs.writeFileSync(
      file,
      `${[`${p}-a`, `${p}-b`]
        .map((k, i) =>
          JSON.stringify({
            key: k,
            sessionId: k,
            ttlSeconds: null,
            elements: Array.from({ length: i + 2 }, () => msg("human", "x")),
          }),
        )
        .join("\n")}\n`,
    );
    const r = await runInPty(
      ["import", file, "--replace"],
      [{ waitFor: "overwriting existing sessions?", send: "n\r" }],
      { env: env() },
    );
    expect(r.code).toBe(1);
    expect(r.screen).toMatch(new RegExp(`${p}-a\\s+2 messages`));
    expect(r.screen).toMatch(new RegExp(`${p}-b\\s+3 messages`));
    expect(await app.exists(`${p}-a`)).toBe(0);
  });
});
