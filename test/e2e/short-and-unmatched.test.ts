// summarize never prints an empty summary; every --match command that matches
// nothing says so the same way (a line on stderr, exit 0).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, cliOn, lrangeBytes, TRANSPORTS, writeConversation } from "../harness/transports.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const msg = (type: string, content: string) =>
  JSON.stringify({ type, data: { content, additional_kwargs: {}, response_metadata: {} } });

describe.each(TRANSPORTS)("short sessions and empty matches over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("a session too short to condense is summarized by its own text, within --max-words", async () => {
    const p = `s${randomUUID().slice(0, 8)}:`;
    await writeConversation(app, `${p}hello`, [msg("human", "hello there")]);
    await writeConversation(app, `${p}thanks`, [
      msg("human", "hi"),
      msg("ai", "Hello! How can I help?"),
      msg("human", "thanks, bye"),
    ]);
    await writeConversation(app, `${p}long`, [
      msg("human", "okay okay okay okay okay okay okay okay okay okay okay okay"),
    ]);
    const one = await cli(["summarize", "hello", "--json", "--prefix", p]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).summary).toBe("User: hello there");
    const text = await cli(["summarize", "thanks", "--prefix", p]);
    expect(text.code).toBe(0);
    expect(text.stdout.trim()).toBe("User: hi\nAssistant: Hello! How can I help?\nUser: thanks, bye");
    const cut = await cli(["summarize", "long", "--max-words", "4", "--json", "--prefix", p]);
    expect(JSON.parse(cut.stdout).summary).toBe("User: okay okay okay…");
    // Stored, the summary of a one-message session is never empty either.
    expect((await cli(["summarize", "hello", "--store", "--keep", "0", "--yes", "--prefix", p])).code).toBe(0);
    const [stored] = (await lrangeBytes(app, `${p}hello`)).map((b) => JSON.parse(b.toString()));
    expect(stored.data.content).toBe("Summary of the earlier conversation: User: hello there");
  });

  it("every --match command that matches nothing says so the same way", async () => {
    const p = `s${randomUUID().slice(0, 8)}:`;
    await writeConversation(app, `${p}other`, [msg("human", "keep me")], 3600);
    const runs: [string[], unknown][] = [
      [["clear", "--match", "none-*", "--yes"], undefined],
      [["clear", "--match", "none-*", "--yes", "--json"], { deleted: [], changed: [], missing: [] }],
      [["clear", "--match", "none-*", "--dry-run", "--json"], { wouldDelete: [], missing: [] }],
      [["expire", "--match", "none-*", "1h", "--yes"], undefined],
      [["expire", "--match", "none-*", "--persist", "--yes", "--json"], []],
      [["expire", "--match", "none-*", "1h", "--dry-run"], undefined],
      [["export", "--match", "none-*"], undefined],
      [["summarize", "--match", "none-*"], undefined],
      [["summarize", "--match", "none-*", "--json"], []],
      [["summarize", "--match", "none-*", "--store", "--yes"], undefined],
      [["repair", "--match", "none-*", "--yes"], undefined],
    ];
    for (const [args, json] of runs) {
      const r = await cli([...args, "--prefix", p]);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({
        args,
        code: 0,
        stderr: "no sessions match 'none-*'\n",
      });
      if (json === undefined) expect(r.stdout).toBe("");
      else expect(JSON.parse(r.stdout)).toEqual(json);
    }
    expect(await app.ttl(`${p}other`)).toBeGreaterThan(3000);
  });
});
