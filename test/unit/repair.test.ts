// repair's plan and its script, run directly against the test Redis on both
// transports: positions counted from the tail, a second run changes nothing,
// the app's new messages are kept, a changed tail is never written to.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { planSession } from "../../src/repair/plan.js";
import { applyRepairs, repairCommand } from "../../src/repair/apply.js";
import { openStore } from "../../src/store/connect.js";
import type { Store } from "../../src/store/types.js";
import { exportElement } from "../../src/transfer/format.js";
import { asArray, asInt, unwrap } from "../../src/store/replies.js";
import {
  appRedis,
  clusterApp,
  connectionEnv,
  lrangeBytes,
  TRANSPORTS,
  writeConversation,
} from "../harness/transports.js";
import { aiElement as ai, humanElement as human } from "../harness/fixtures.js";
import { stack } from "../harness/stack.js";

const doubleEncoded = JSON.stringify(human("twice"));
const line = (key: string, newestFirst: Buffer[]) => ({
  key,
  sessionId: key,
  ttlSeconds: null,
  elements: newestFirst.map(exportElement),
});

describe("planSession", () => {
  it("changes only the elements the key's reader cannot take, counted from the tail", () => {
    const oldestFirst = [human("a"), "null", doubleEncoded, "plain", ai("b")];
    const newestFirst = [...oldestFirst].reverse().map((e) => Buffer.from(e));
    const js = planSession(line("s", newestFirst), { invisible: false });
    expect(js.changes.map((c) => [c.index, c.fromTail, c.action])).toEqual([[2, -2, "remove"]]);
    const all = planSession(line("s", newestFirst), { invisible: true });
    expect(all.changes.map((c) => [c.index, c.fromTail, c.action, c.replacement])).toEqual([
      [2, -2, "remove", undefined],
      [3, -3, "unwrap", human("twice")],
      [4, -4, "remove", undefined],
    ]);
    expect(all.after.map(String)).toEqual([ai("b"), human("twice"), human("a")]);
    // LangChain Python raises on all three, so under its prefix they go without --invisible.
    const py = planSession(line("message_store:s", newestFirst), { invisible: false });
    expect(py.changes.map((c) => c.action)).toEqual(["remove", "unwrap", "remove"]);
  });
});

describe.each(TRANSPORTS)("the repair script over %s", (transport) => {
  let app: IORedis;
  let store: Store;
  beforeAll(async () => {
    app = transport === "cluster" ? (clusterApp() as unknown as IORedis) : appRedis();
    const s = stack();
    store = await openStore(
      transport === "rest"
        ? { url: s.restUrl, token: s.restToken, timeoutMs: 10_000 }
        : { url: connectionEnv(transport).UPSTASH_REDIS_REST_URL, timeoutMs: 10_000 },
    );
  });
  afterAll(async () => {
    await store.close();
    await app.quit();
  });

  async function planned(key: string, oldestFirst: string[]) {
    await writeConversation(app, key, oldestFirst, 600);
    return planSession(line(key, await lrangeBytes(app, key)), { invisible: true });
  }

  it("applies once: run again, even after the app appended, it reports the repair as done", async () => {
    const key = `t-repair-${randomUUID().slice(0, 8)}`;
    const plan = await planned(key, [human("a"), "null", doubleEncoded, ai("b")]);
    const [first] = await applyRepairs(store, [plan]);
    expect(first.status).toBe("repaired");
    const repaired = await lrangeBytes(app, key);
    await app.lpush(key, human("new"));
    const [again] = await applyRepairs(store, [plan]);
    expect(again).toMatchObject({ status: "already", length: 4 });
    expect(await lrangeBytes(app, key)).toEqual([Buffer.from(human("new")), ...repaired]);
    expect(await app.ttl(key)).toBeGreaterThan(590);
    await app.del(key);
  });

  it("writes nothing when the tail changed (a compaction), and removes every element when all are bad", async () => {
    const key = `t-repair-${randomUUID().slice(0, 8)}`;
    const plan = await planned(key, [human("a"), "null", ai("b")]);
    await app.rpop(key);
    await app.rpush(key, human("summary"));
    const before = await lrangeBytes(app, key);
    const [changed] = await applyRepairs(store, [plan]);
    expect(changed.status).toBe("changed");
    expect(await lrangeBytes(app, key)).toEqual(before);

    const allBad = await planned(`${key}-bad`, ["null", "42", '{"type":"human"}']);
    const [emptied] = await applyRepairs(store, [allBad]);
    expect(emptied).toMatchObject({ status: "repaired", length: 0 });
    expect(await app.exists(`${key}-bad`)).toBe(0);
    await app.del(key);
  });

  it("each run makes up its own tombstone for the elements it removes", async () => {
    const key = `t-repair-${randomUUID().slice(0, 8)}`;
    const plan = await planned(key, [human("a"), "null"]);
    const cmd = repairCommand(plan);
    const tombstone = String(cmd[8]);
    expect(tombstone).toMatch(/^\u0000upstash-memory repair [0-9a-f-]{36}$/);
    expect(String(repairCommand(plan)[8])).not.toBe(tombstone);
    const [o] = await store.pipeline([cmd], { idempotent: true });
    expect(asArray(unwrap(o)).map(asInt)).toEqual([1, 1]);
    expect((await lrangeBytes(app, key)).map(String)).toEqual([human("a")]);
    await app.del(key);
  });
});
