// append's content: empty is refused (exit 2, nothing written); stdin and
// files lose exactly one final line ending; on a terminal, `-` reads what is
// typed until Ctrl-D.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, cliOn, connectionEnv, lrangeBytes, TRANSPORTS } from "../harness/transports.js";
import { runInPty } from "../harness/pty.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const file = (bytes: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-append-")), "m.txt");
  fs.writeFileSync(f, bytes);
  return f;
};
const contents = async (key: string, client: IORedis = app) =>
  (await lrangeBytes(client, key)).map((b) => JSON.parse(b.toString()).data.content).reverse();

describe.each(TRANSPORTS)("append input over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("empty content is a usage error and writes nothing", async () => {
    const prefix = `a${randomUUID().slice(0, 8)}:`;
    const runs: [string[], string | undefined][] = [
      [["append", "s", ""], undefined],
      [["append", "s", "-"], ""],
      [["append", "s", "-"], "\n"],
      [["append", "s", "-"], "\r\n"],
      [["append", "s", "--file", file("")], undefined],
      [["append", "s", "--file", file("\n")], undefined],
    ];
    for (const [args, input] of runs) {
      const r = await cli([...args, "--prefix", prefix], { input });
      expect({ args, input, code: r.code }).toEqual({ args, input, code: 2 });
      expect(r.stderr.split("\n")[0]).toBe("upstash-memory: the message is empty: nothing was written");
    }
    expect(await app.exists(`${prefix}s`)).toBe(0);
  });

  it("stdin and files lose exactly one final line ending, arguments nothing", async () => {
    const prefix = `a${randomUUID().slice(0, 8)}:`;
    const key = `${prefix}s`;
    const steps: [string[], string | undefined][] = [
      [["append", "s", "-"], "echoed\n"],
      [["append", "s", "-"], "two blank lines\n\n"],
      [["append", "s", "-"], "  indented, no newline  "],
      [["append", "s", "--file", file("from a file\n")], undefined],
      [["append", "s", "--file", file("windows\r\n")], undefined],
      [["append", "s", "an argument\n"], undefined],
      [["append", "s", " "], undefined],
    ];
    for (const [args, input] of steps) expect((await cli([...args, "--prefix", prefix], { input })).code).toBe(0);
    expect(await contents(key, app)).toEqual([
      "echoed",
      "two blank lines\n",
      "  indented, no newline  ",
      "from a file",
      "windows",
      "an argument\n",
      " ",
    ]);
  });

  it("`-` on a terminal reads what is typed until Ctrl-D, with a hint", async () => {
    const prefix = `a${randomUUID().slice(0, 8)}:`;
    const r = await runInPty(
      ["append", "s", "-", "--prefix", prefix],
      [
        { waitFor: "Ctrl-D", send: "hello from a terminal\rsecond line\r" },
        { waitFor: "second line", send: "\u0004" },
      ],
      { env: connectionEnv(transport) },
    );
    expect(r.code).toBe(0);
    expect(r.screen).toContain("type the message, then Ctrl-D on an empty line");
    expect(await contents(`${prefix}s`, app)).toEqual(["hello from a terminal\nsecond line"]);
  });
});
