// The one file writer: whole file or nothing, never over what appeared meanwhile.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
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

  it("checks the path first: missing folder, existing file, symlink, read-only folder", () => {
    const dir = folder();
    expect(() => checkOutputFile(path.join(dir, "no", "x"))).toThrow(
      new UsageError(`cannot write ${path.join(dir, "no", "x")}: no such folder`),
    );
    fs.writeFileSync(path.join(dir, "f"), "");
    expect(() => checkBackupFile(path.join(dir, "f"))).toThrow(/it already exists/);
    expect(checkOutputFile(path.join(dir, "f"), { replace: true }).replace).toBe(true);
    fs.symlinkSync(path.join(dir, "f"), path.join(dir, "l"));
    expect(() => checkBackupFile(path.join(dir, "l"))).toThrow(/symbolic link/);
    if (process.getuid?.() !== 0) {
      fs.chmodSync(dir, 0o500);
      expect(() => checkOutputFile(path.join(dir, "new"))).toThrow(/permission denied/);
      fs.chmodSync(dir, 0o700);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(["f", "l"]);
  });
});
