// history show --follow: sees messages another writer appends, then notices
// the session being compacted and cleared.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, connectionEnv, TRANSPORTS, writeConversation, type TransportName } from "../harness/transports.js";
import { BIN, baseEnv, tempConfigDir } from "../harness/cli.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const msg = (type: string, content: string) => JSON.stringify({ type, data: { content, additional_kwargs: {}, response_metadata: {} } });

/** Spawns `history show --follow` and collects NDJSON lines as they arrive. */
function startFollow(transport: TransportName, key: string) {
  const child = spawn(process.execPath, [BIN, "history", "show", key, "--follow", "--ndjson", "--interval", "200ms", "--for", "20s"], {
    env: { ...baseEnv(tempConfigDir()), ...connectionEnv(transport) },
  });
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
  const waitFor = async (pred: () => boolean, what: string) => {
    for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 100));
    if (!pred()) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(lines)} ${stderr}`);
  };
  return { child, lines, exited, waitFor, stderr: () => stderr };
}

describe.each(TRANSPORTS)("history show --follow over %s", (transport) => {
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
    expect(f.lines.slice(2).map((l) => [l.index, l.role, l.content])).toEqual([[3, "user", "third"], [4, "assistant", "fourth"]]);
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
});
