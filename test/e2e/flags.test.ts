// Conflicting flags (and flags missing what they work with) are usage errors
// from the one shared check: exit 2, one line, and nothing read or written.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, cliOn, lrangeBytes, TRANSPORTS, writeConversation } from "../harness/transports.js";
import { tempConfigDir } from "../harness/cli.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const msg = (type: string, content: string) =>
  JSON.stringify({ type, data: { content, additional_kwargs: {}, response_metadata: {} } });

describe.each(TRANSPORTS)("flag combinations over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("conflicting flags: exit 2 from one check, and the session is untouched", async () => {
    const prefix = `c${randomUUID().slice(0, 8)}:`;
    const key = `${prefix}user-7`;
    await writeConversation(app, key, [msg("human", "hello"), msg("ai", "hi, how can I help?")], 3600);
    const before = await lrangeBytes(app, key);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-flags-"));
    const file = path.join(dir, "m.txt");
    fs.writeFileSync(file, "from a file");
    const exportFile = path.join(dir, "e.jsonl");
    fs.writeFileSync(
      exportFile,
      `${JSON.stringify({ key, sessionId: "user-7", ttlSeconds: null, elements: ["x"] })}\n`,
    );
    const sys = '{"type":"system","data":{"content":"Be brief."}}';
    const cases: [string[], RegExp][] = [
      [["expire", "user-7", "1h", "--persist"], /--persist and a DURATION cannot be used together/],
      [["expire", "user-7", "--match", "*", "1h"], /session ids and --match cannot be used together/],
      [["expire", "user-7"], /missing --persist or a DURATION/],
      [["expire", "1h"], /missing session ids or --match/],
      [["history", "show", "user-7", "--json", "--format", "text"], /--json and --format cannot be used together/],
      [["history", "show", "user-7", "--ndjson", "--json"], /--json and --ndjson cannot be used together/],
      [["history", "show", "user-7", "--first", "1", "--last", "1"], /--first and --last cannot be used together/],
      [["history", "show", "user-7", "--for", "5s"], /--for only works with --follow/],
      [
        ["append", "user-7", "--message-json", sys, "--role", "ai"],
        /--message-json and --role cannot be used together/,
      ],
      [["append", "user-7", "TEXT", "--file", file], /content and --file cannot be used together/],
      [["append", "user-7", "TEXT", "--message-json", sys], /content and --message-json cannot be used together/],
      [["append", "user-7"], /missing content or --file or --message-json/],
      [["summarize", "user-7", "--match", "user-*"], /session id and --match cannot be used together/],
      [["summarize", "user-7", "--dry-run"], /--dry-run only works with --store/],
      [["summarize", "user-7", "--keep", "0"], /--keep only works with --store/],
      [["clear", "user-7", "--match", "*", "--yes"], /session ids and --match cannot be used together/],
      [["clear", "--yes"], /missing session ids or --match/],
      [["export", "user-7", "--match", "*"], /session ids and --match cannot be used together/],
      [["export", "user-7", "--force"], /--force only works with --out/],
      [["import", exportFile, "--replace", "--merge", "--yes"], /--replace and --merge cannot be used together/],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...args, "--prefix", prefix, "--stats"]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr.split("\n")[0]).toMatch(/^upstash-memory: /);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
      // Checked before connecting: not one request was sent.
      expect(r.stderr).not.toMatch(/stats:/);
    }
    expect(await lrangeBytes(app, key)).toEqual(before);
    expect(await app.ttl(key)).toBeGreaterThan(3000);
    // Defaults do not count as given; --persist alone still works.
    expect((await cli(["history", "show", "user-7", "--format", "json", "--prefix", prefix])).code).toBe(0);
    expect((await cli(["append", "user-7", "noted", "--role", "user", "--prefix", prefix])).code).toBe(0);
    expect((await cli(["expire", "user-7", "--persist", "--prefix", prefix])).code).toBe(0);
    expect(await app.ttl(key)).toBe(-1);
  });

  it("login --token with --token-stdin saves nothing", async () => {
    const configDir = tempConfigDir();
    const r = await cli(["login", "--profile", "x", "--token", "tok-a", "--token-stdin"], {
      input: "tok-b\n",
      configDir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^upstash-memory: --token and --token-stdin cannot be used together/);
    expect(fs.readdirSync(configDir).filter((f) => f.endsWith(".json"))).toEqual([]);
  });
});
