// history show --follow: sees messages another writer appends; waits for a
// session that does not exist yet; tells a clear or an expiry (even followed
// at once by a new message) from a compaction.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import {
  appOn,
  appRedis,
  cliOn,
  connectionEnv,
  TRANSPORTS,
  writeConversation,
  type TransportName,
} from "../harness/transports.js";
import { BIN, baseEnv, tempConfigDir } from "../harness/cli.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const msg = (type: string, content: string) =>
  JSON.stringify({ type, data: { content, additional_kwargs: {}, response_metadata: {} } });

/** `history show ID --follow --ndjson`, its lines collected as they arrive. */
function startFollow(transport: TransportName, id: string) {
  const child = spawn(
    process.execPath,
    [BIN, "history", "show", id, "--follow", "--ndjson", "--interval", "200ms", "--for", "60s"],
    {
      env: { ...baseEnv(tempConfigDir()), ...connectionEnv(transport) },
    },
  );
  const lines: Record<string, unknown>[] = [];
  let buf = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    buf += d;
    const parts = buf.split("\n");
    buf = parts.pop()!;
    for (const p of parts) if (p) lines.push(JSON.parse(p));
  });
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  // Bounded: 300 checks, 100 ms apart.
  const waitFor = async (pred: () => boolean, what: string) => {
    for (let i = 0; i < 300 && !pred(); i++) await new Promise((r) => setTimeout(r, 100));
    if (!pred()) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(lines)} ${stderr}`);
  };
  const events = () => lines.filter((l) => l.event).map((l) => l.event);
  const stop = async () => {
    child.kill("SIGINT");
    return exited;
  };
  return { child, exited, lines, events, waitFor, stderr: () => stderr, stop };
}

describe.each(TRANSPORTS)("history show --follow over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("prints new messages as another writer stores them, then notices a rewrite and a clear", async () => {
    const key = `follow-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, key, [msg("human", "first"), msg("ai", "second")]);
    const f = startFollow(transport, key);
    await f.waitFor(() => f.lines.length >= 2, "the existing history");
    expect(f.lines.map((l) => l.content)).toEqual(["first", "second"]);
    await app.lpush(key, msg("human", "third"));
    await app.lpush(key, msg("ai", "fourth"));
    await f.waitFor(() => f.lines.length >= 4, "the new messages");
    expect(f.lines.slice(2).map((l) => [l.index, l.role, l.content])).toEqual([
      [3, "user", "third"],
      [4, "assistant", "fourth"],
    ]);
    // A compaction replaces the tail (as summarize --store does).
    await app.multi().ltrim(key, 0, 1).rpush(key, msg("human", "Summary of the earlier conversation: ...")).exec();
    await f.waitFor(() => f.lines.some((l) => l.event === "compacted"), "the compaction notice");
    await app.del(key);
    await f.waitFor(() => f.lines.some((l) => l.event === "cleared"), "the cleared notice");
    // stderr is a pipe of its own: its line may come a moment after stdout's.
    await f.waitFor(() => f.stderr().includes(`session ${key} was cleared`), "the cleared message on stderr");
    f.child.kill("SIGINT");
    expect(await f.exited).toBe(0);
  });

  it("waits for a session that does not exist yet, then shows it as it starts", async () => {
    const id = `wait-${randomUUID().slice(0, 8)}`;
    const f = startFollow(transport, id);
    await f.waitFor(() => f.stderr().includes(`waiting for session '${id}'…`), "the waiting notice");
    await app.lpush(id, msg("human", "first words"));
    await f.waitFor(() => f.lines.some((l) => l.content === "first words"), "the first message");
    await app.lpush(id, msg("ai", "an answer"));
    await f.waitFor(() => f.lines.some((l) => l.content === "an answer"), "the second message");
    expect(f.events()).toEqual(["started"]);
    expect(f.lines.filter((l) => l.content).map((l) => [l.index, l.role, l.content])).toEqual([
      [1, "user", "first words"],
      [2, "assistant", "an answer"],
    ]);
    expect(f.stderr()).toContain(`session ${id} started`);
    expect(f.stderr()).not.toContain("started again");
    expect(await f.stop()).toBe(0);
    await app.del(id);
  });

  it("a clear followed at once by a new message is a clear and a new start, not a compaction", async () => {
    const id = `clr-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, [msg("human", "one"), msg("ai", "two"), msg("human", "three")]);
    const f = startFollow(transport, id);
    await f.waitFor(() => f.lines.length >= 3, "the history");
    // Both in one step: no poll can see the session missing in between.
    await app.multi().del(id).lpush(id, msg("human", "a new chat")).exec();
    await f.waitFor(() => f.lines.some((l) => l.content === "a new chat"), "the new chat");
    expect(f.events()).toEqual(["cleared", "started"]);
    expect(f.lines[f.lines.length - 1]).toMatchObject({ index: 1, content: "a new chat" });
    await f.waitFor(() => f.stderr().includes("started again"), "the notices on stderr");
    expect(f.stderr()).toContain(`session ${id} was cleared`);
    expect(f.stderr()).toContain(`session ${id} started again`);
    expect(f.stderr()).not.toContain("compacted");
    expect(await f.stop()).toBe(0);
    await app.del(id);
  });

  it("an expiry followed by a new message is an expiry and a new start", async () => {
    const id = `exp-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, [msg("human", "one"), msg("ai", "two")], 2);
    const f = startFollow(transport, id);
    await f.waitFor(() => f.lines.length >= 2, "the history");
    for (let i = 0; i < 100 && (await app.exists(id)); i++) await new Promise((r) => setTimeout(r, 50));
    await app.lpush(id, msg("human", "back again"));
    await f.waitFor(() => f.lines.some((l) => l.content === "back again"), "the new message");
    expect(f.events()).toEqual(["expired", "started"]);
    await f.waitFor(() => f.stderr().includes(`session ${id} expired`), "the notice on stderr");
    expect(await f.stop()).toBe(0);
    await app.del(id);
  });

  it("summarize --store, even keeping nothing, is a compaction", async () => {
    const id = `cmp-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, [
      msg("human", "I need a train from Paris to Lisbon next Friday."),
      msg("ai", "There is a night train; 310 euros in total. Shall I book it?"),
      msg("human", "Yes, a window seat please."),
    ]);
    const f = startFollow(transport, id);
    await f.waitFor(() => f.lines.length >= 3, "the history");
    const r = await cli(["summarize", id, "--store", "--keep", "0", "--yes"]);
    expect(r.code).toBe(0);
    await f.waitFor(() => f.events().length > 0, "a notice");
    await f.waitFor(
      () =>
        f.lines.some(
          (l) => typeof l.content === "string" && l.content.startsWith("Summary of the earlier conversation"),
        ),
      "the summary",
    );
    expect(f.events()).toEqual(["compacted"]);
    expect(await f.stop()).toBe(0);
    await app.del(id);
  });
});
