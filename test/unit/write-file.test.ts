// The one file writer: whole file or nothing, never over what appeared meanwhile.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { ROOT } from "../harness/cli.js";
import { checkBackupFile, checkOutputFile, writeOutputFile } from "../../src/transfer/write-file.js";
import { CliError, UsageError } from "../../src/errors/errors.js";

const folder = () => fs.mkdtempSync(path.join(os.tmpdir(), "um-writer-"));

describe("writeOutputFile", () => {
  it("writes every line, then moves the file into place", async () => {
    const dir = folder();
    const file = checkOutputFile(path.join(dir, "a.jsonl"));
    expect(await writeOutputFile(file, ["one", "two"])).toBe(2);
    expect(fs.readFileSync(file.path, "utf8")).toBe("one\ntwo\n");
    expect(fs.readdirSync(dir)).toEqual(["a.jsonl"]);
  });

  it("leaves nothing behind when the lines fail to come, and passes their error on", async () => {
    const dir = folder();
    const file = checkOutputFile(path.join(dir, "a.jsonl"));
    const lost = new Error("connection lost");
    async function* lines() {
      yield "one";
      throw lost;
    }
    await expect(writeOutputFile(file, lines())).rejects.toBe(lost);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("does not replace a file that appeared after the check (a backup stays an earlier backup)", async () => {
    const dir = folder();
    const file = checkBackupFile(path.join(dir, "b.jsonl"));
    fs.writeFileSync(file.path, "earlier\n");
    const err = await writeOutputFile(file, ["new"]).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toBe(`cannot write ${file.path}: it already exists`);
    expect(fs.readFileSync(file.path, "utf8")).toBe("earlier\n");
    expect(fs.readdirSync(dir)).toEqual(["b.jsonl"]);
  });

  it("checks the path first: missing folder, existing file, symlink", () => {
    const dir = folder();
    expect(() => checkOutputFile(path.join(dir, "no", "x"))).toThrow(
      new UsageError(`cannot write ${path.join(dir, "no", "x")}: no such folder`),
    );
    fs.writeFileSync(path.join(dir, "f"), "");
    expect(() => checkBackupFile(path.join(dir, "f"))).toThrow(/it already exists/);
    expect(checkOutputFile(path.join(dir, "f"), { replace: true }).replace).toBe(true);
    fs.symlinkSync(path.join(dir, "f"), path.join(dir, "l"));
    expect(() => checkBackupFile(path.join(dir, "l"))).toThrow(/symbolic link/);
    expect(fs.readdirSync(dir).sort()).toEqual(["f", "l"]);
  });

  it("refuses a read-only folder (as root too: the check then runs as an unprivileged user)", () => {
    const dir = folder();
    fs.chmodSync(dir, 0o555);
    try {
      const target = path.join(dir, "new");
      if (process.getuid?.() !== 0) {
        expect(() => checkOutputFile(target)).toThrow(new UsageError(`cannot write ${target}: permission denied`));
        return;
      }
      // Root writes anywhere: run the writer, built from source, as nobody.
      expect(setpriv, "setpriv is needed to drop root's privileges for this check").toBeTruthy();
      const built = fs.mkdtempSync(path.join(os.tmpdir(), "um-writer-build-"));
      fs.chmodSync(built, 0o755);
      const bundle = path.join(built, "write-file.mjs");
      buildSync({
        entryPoints: [path.join(ROOT, "src/transfer/write-file.ts")],
        bundle: true,
        format: "esm",
        platform: "node",
        outfile: bundle,
        logLevel: "silent",
      });
      const script = `import(${JSON.stringify(bundle)}).then((m) => {
        try { m.checkOutputFile(${JSON.stringify(target)}); console.log("written"); }
        catch (e) { console.log(e.name + ": " + e.message); }
      });`;
      const said = execFileSync(
        setpriv!,
        ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script],
        { encoding: "utf8" },
      );
      expect(said.trim()).toBe(`UsageError: cannot write ${target}: permission denied`);
      fs.rmSync(built, { recursive: true, force: true });
    } finally {
      fs.chmodSync(dir, 0o700);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("writes nothing, not even an empty file, when there are no lines", async () => {
    const dir = folder();
    const file = checkOutputFile(path.join(dir, "a.jsonl"));
    expect(await writeOutputFile(file, [])).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("writes a device or a FIFO straight through: no temporary file, no 'already exists'", async () => {
    const dir = folder();
    for (const dev of ["/dev/null", "/dev/stdout"]) expect(checkBackupFile(dev).direct).toBeDefined();
    expect(checkOutputFile("-").direct).toBe("stdout");
    const fifo = path.join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const file = checkBackupFile(fifo);
    expect(file).toEqual({ path: fifo, replace: false, direct: "stream" });
    const read = fs.promises.readFile(fifo, "utf8");
    expect(await writeOutputFile(file, ["one", "two"])).toBe(2);
    expect(await read).toBe("one\ntwo\n");
    expect(fs.readdirSync(dir)).toEqual(["pipe"]);
  });
});

const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => fs.existsSync(p));
