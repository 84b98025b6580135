// One near-miss finder for every command that does not find a session, and for
// doctor: prefix, case, whitespace, typos and "contains", from a search of at
// most two requests, suggested on stderr only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis as IORedis } from "ioredis";
import { appOn, cliOn, writeConversation, type TransportName } from "../harness/transports.js";
import { uniqueId } from "../harness/stack.js";
import { startIsolatedStack, type IsolatedStack } from "../harness/stack.js";
import { runCli, type RunOptions } from "../harness/cli.js";

// A database of its own: the search reads at most two SCAN pages, and the
// shared one holds every other test's keys.
let iso: IsolatedStack;
let app: IORedis;
beforeAll(async () => {
  iso = await startIsolatedStack();
  app = new IORedis(iso.redisUrl);
});
afterAll(async () => {
  app.disconnect();
  await iso.close();
});

const human = (content: string) => JSON.stringify({ type: "human", data: { content } });

describe.each(["rest", "redis"] as TransportName[])("near misses over %s", (transport: TransportName) => {
  const cli = (args: string[], opts: RunOptions = {}) =>
    runCli(args, {
      ...opts,
      env:
        transport === "rest"
          ? { UPSTASH_REDIS_REST_URL: iso.restUrl, UPSTASH_REDIS_REST_TOKEN: iso.restToken }
          : { UPSTASH_REDIS_REST_URL: iso.redisUrl },
    });
  const p = `${transport}:`;

  beforeAll(async () => {
    await writeConversation(app, `${p}user-42`, [human("a"), human("b"), human("c")]);
    await writeConversation(app, `${p}chat:order-77:main`, [human("x")]);
    for (let i = 0; i < 50; i++) await app.lpush(`${p}other-${i}-${"z".repeat(i % 7)}`, human("filler"));
  });

  it("history show of a typo suggests the session, on stderr only, in at most 2 more requests", async () => {
    const r = await cli(["history", "show", "user-43", "--prefix", p, "--stats"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("no session 'user-43'");
    expect(r.stderr).toContain("did you mean 'user-42' (1 character different, 3 messages)?");
    // The read, then the search.
    expect(r.stderr).toMatch(/stats: 3 (HTTP requests|round trips)/);
  });

  it("every not-found path suggests the same way", async () => {
    const hint = "did you mean 'user-42' (1 character different, 3 messages)?";
    const runs = [
      ["summarize", "user-43"],
      ["history", "show", "user-43", "--json"],
      ["expire", "user-43", "1h"],
      ["clear", "user-43", "--yes"],
      ["export", "user-43"],
      ["repair", "user-43", "--yes"],
    ];
    for (const args of runs) {
      const r = await cli([...args, "--prefix", p]);
      expect({ args, code: r.code }).toEqual({ args, code: 3 });
      expect({ args, hint: r.stderr.includes(hint) }).toEqual({ args, hint: true });
      expect({ args, stdout: r.stdout.includes("user-42") }).toEqual({ args, stdout: false });
    }
    expect(await app.llen(`${p}user-42`)).toBe(3);
    expect(await app.ttl(`${p}user-42`)).toBe(-1);
  });

  it("a key that contains the id, and several missing ids from one search", async () => {
    const r = await cli(["expire", "order-77", "user-4", "1h", "--prefix", p, "--stats"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      "order-77: no such session; did you mean 'chat:order-77:main' (contains the id, 1 message)",
    );
    expect(r.stderr).toContain("user-4: no such session; did you mean 'user-42' (1 character different, 3 messages)");
    // The EVAL, then one search for both ids.
    expect(r.stderr).toMatch(/stats: 3 (HTTP requests|round trips)/);
  });

  it("doctor reports the same near misses", async () => {
    const r = await cli(["doctor", "user-43", "--prefix", p, "--json"]);
    expect(r.code).toBe(3);
    const misses = JSON.parse(r.stdout).checks.filter((c: { id: string }) => c.id === "key.near-miss");
    expect(misses).toContainEqual(
      expect.objectContaining({
        status: "warn",
        message: `key '${p}user-42' holds 3 messages (1 character different)`,
      }),
    );
  });

  it("nothing similar: no suggestion, the usual hint", async () => {
    const r = await cli(["history", "show", "completely-different", "--prefix", p]);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain("did you mean");
    expect(r.stderr).toContain("sessions list");
  });
});

describe("near misses on a Redis Cluster", () => {
  // The shared cluster: every master's first pages are read, in parallel.
  const cli = cliOn("cluster");
  const app = appOn("cluster");

  it("a typo is found whichever master holds the key", async () => {
    const p = `${uniqueId("nm")}:`;
    for (const id of ["user-42", "order-7", "zeta-99"]) await app.lpush(`${p}${id}`, human(id));
    for (const [typo, meant] of [
      ["user-43", "user-42"],
      ["order-8", "order-7"],
      ["zeta-98", "zeta-99"],
    ]) {
      const r = await cli(["history", "show", typo, "--prefix", p]);
      expect({ typo, code: r.code }).toEqual({ typo, code: 3 });
      expect(r.stderr).toContain(`did you mean '${meant}' (1 character different, 1 message)`);
    }
  });
});
