// import --dry-run says exactly what the real import does: the same
// {written, skipped, notLists}, the same words, the same exit code, and the
// same size checks, while writing nothing.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, existing, cliOn, lrangeBytes, TRANSPORTS, writeConversation } from "../harness/transports.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const line = (key: string, elements: string[]) => JSON.stringify({ key, sessionId: key, ttlSeconds: null, elements });
const tmpFile = (text: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-import-")), "in.jsonl");
  fs.writeFileSync(file, text);
  return file;
};

describe.each(TRANSPORTS)("import --dry-run over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it.each(["skip", "merge", "replace"])("reports what the real import then does (mode %s)", async (mode) => {
    const p = `i${randomUUID().slice(0, 8)}:`;
    await writeConversation(app, `${p}exists`, ["old"]);
    await app.set(`${p}string`, "an app's own key");
    const file = tmpFile(
      `${[line(`${p}exists`, ["new", "old"]), line(`${p}fresh`, ["a"]), line(`${p}string`, ["b"])].join("\n")}\n`,
    );
    const flags = mode === "skip" ? [] : [`--${mode}`, "--yes"];
    const dry = await cli(["import", file, "--dry-run", "--json", ...flags]);
    // Nothing written by the dry run.
    expect(await app.exists(`${p}fresh`)).toBe(0);
    expect((await lrangeBytes(app, `${p}exists`)).map(String)).toEqual(["old"]);
    expect(await app.get(`${p}string`)).toBe("an app's own key");
    const real = await cli(["import", file, "--json", ...flags]);
    expect(JSON.parse(dry.stdout)).toEqual(JSON.parse(real.stdout));
    expect(JSON.parse(real.stdout)).toEqual({
      written: mode === "skip" ? [`${p}fresh`] : [`${p}exists`, `${p}fresh`],
      skipped: mode === "skip" ? [`${p}exists`] : [],
      notLists: [`${p}string`],
    });
    expect(dry.code).toBe(real.code);
    expect(real.code).toBe(1);
    expect(dry.stderr).toContain(`dry run: would import ${mode === "skip" ? 1 : 2} session`);
    expect(real.stderr).toContain(`imported ${mode === "skip" ? 1 : 2} session`);
    expect(dry.stderr).toContain(`${p}string: exists and is not a chat history: would be left unchanged`);
    expect(real.stderr).toContain(`${p}string: exists and is not a chat history: left unchanged`);
  });

  it("a session too large for one request is reported by the dry run, as by the real run, before anything is written", async () => {
    const p = `i${randomUUID().slice(0, 8)}:`;
    const big = JSON.stringify({ type: "human", data: { content: "x".repeat(9_000_000) } });
    const file = tmpFile(`${[line(`${p}small`, ["a"]), line(`${p}big`, [big])].join("\n")}\n`);
    const dry = await cli(["import", file, "--dry-run", "--json"], { timeoutMs: 120_000 });
    if (transport === "rest") {
      expect(dry.code).toBe(1);
      expect(dry.stderr).toMatch(
        new RegExp(`^upstash-memory: session '${p}big' is too large to restore in one request`),
      );
      const real = await cli(["import", file], { timeoutMs: 120_000 });
      expect({ code: real.code, first: real.stderr.split("\n")[0] }).toEqual({
        code: dry.code,
        first: dry.stderr.split("\n")[0],
      });
      expect(await existing(app, `${p}small`, `${p}big`)).toBe(0);
    } else {
      // redis:// has no request size limit.
      expect(dry.code).toBe(0);
      expect(JSON.parse(dry.stdout)).toEqual({ written: [`${p}small`, `${p}big`], skipped: [], notLists: [] });
      expect(await existing(app, `${p}small`, `${p}big`)).toBe(0);
    }
  });
});
