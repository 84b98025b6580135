// `npm run lint` is what holds the code's shape: these probes prove that each of its
// checks fails on what it exists to catch (a linter that passes everything passes here too
// otherwise). Each probe writes a few files into a folder of its own, checks them with the
// project's own configuration, and removes them.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);
const made: string[] = [];

function probe(parent: string, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(ROOT, parent, "lint-probe-"));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return path.relative(ROOT, dir);
}

async function exitOf(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(cmd, args, { cwd: ROOT, maxBuffer: 16 << 20 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("npm run lint", () => {
  it("passes well-formed code, fails a badly formatted file and an unused declaration", async () => {
    const good = probe("test", { "good.ts": "export const answer = 42;\n" });
    expect((await exitOf(bin("biome"), ["check", good])).code).toBe(0);

    const badFormat = probe("test", { "bad.ts": "export const  answer={a:1}\n" });
    const f = await exitOf(bin("biome"), ["check", badFormat]);
    expect(f.code).not.toBe(0);
    expect(f.out).toMatch(/format/i);

    const unused = probe("test", { "unused.ts": "const unused = 1;\nexport const answer = 42;\n" });
    const u = await exitOf(bin("biome"), ["check", unused]);
    expect(u.code).not.toBe(0);
    expect(u.out).toMatch(/noUnusedVariables/);
  });

  it("fails a run-time import circle, but not a type-only one", async () => {
    const circle = probe("src", {
      "a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
      "b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
    });
    const cruise = (dir: string) => exitOf(bin("depcruise"), [dir, "--config", ".dependency-cruiser.cjs"]);
    const c = await cruise(circle);
    expect(c.code).not.toBe(0);
    expect(c.out).toMatch(/no-circular/);

    const typeOnly = probe("src", {
      "a.ts": 'import type { B } from "./b.js";\nexport type A = { b?: B };\nexport const a = 1;\n',
      "b.ts": 'import { a } from "./a.js";\nexport type B = number;\nexport const b = a;\n',
    });
    expect((await cruise(typeOnly)).code).toBe(0);
  });

  it("fails an upward import: the store reaching into a concept", async () => {
    const upward = probe("src/store", {
      "up.ts": 'import { resolveConnection } from "../../config/resolve.js";\nexport const up = resolveConnection;\n',
    });
    const r = await exitOf(bin("depcruise"), [upward, "--config", ".dependency-cruiser.cjs"]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/store-points-down/);
  });
});
