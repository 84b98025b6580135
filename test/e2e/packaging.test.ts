// What `npx upstash-memory` installs: the packed tarball, installed with
// production dependencies only, must run every transport on its own. The
// bundle holds every package the CLI runs (with their licences), so the
// install downloads nothing else: not the reference client @upstash/redis that
// tests use, nor any runtime package. No locked package refuses the Node
// version we support.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import semver from "semver";
import type { Redis as IORedis } from "ioredis";
import { baseEnv, ROOT, tempConfigDir } from "../harness/cli.js";
import { appRedis, clusterApp, connectionEnv, TRANSPORTS } from "../harness/transports.js";
import { uniqueId } from "../harness/stack.js";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));

describe("package.json", () => {
  it("has no runtime dependencies: the bundle holds them; @upstash/redis stays a dev dependency", () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.devDependencies)).toContain("@upstash/redis");
    expect(pkg.files).toEqual(["bin", "dist/bundle"]);
  });

  it("locks no package whose engines exclude this Node (npm would print EBADENGINE)", () => {
    const refused = Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)
      .filter(([, p]) => typeof p.engines?.node === "string")
      .filter(([, p]) => !semver.satisfies(process.version, p.engines!.node!))
      .map(([name, p]) => `${name} needs node ${p.engines!.node}`);
    expect(refused).toEqual([]);
  });
});

describe("installed from the packed tarball with production dependencies only", () => {
  let dir: string;
  let bin: string;
  let app: IORedis;

  beforeAll(() => {
    app = appRedis();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-pack-"));
    const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" });
    const tarball = path.join(dir, out.trim().split("\n").pop()!);
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    // The cache holds every package after `npm ci`; the registry is only asked when it does not.
    const install = spawnSync(
      "npm",
      ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", tarball],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/EBADENGINE/);
    bin = path.join(dir, "node_modules/.bin/upstash-memory");
  }, 180_000);

  afterAll(async () => {
    await app.quit();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("installs nothing but itself: the launcher, the bundle and the bundled packages' licences", () => {
    const installed = fs.readdirSync(path.join(dir, "node_modules")).filter((n) => !n.startsWith("."));
    expect(installed).toEqual(["upstash-memory"]);
    const own = path.join(dir, "node_modules/upstash-memory");
    expect(fs.existsSync(path.join(own, "dist/bundle/main.mjs"))).toBe(true);
    expect(fs.existsSync(path.join(own, "dist/src"))).toBe(false);
    const licences = fs.readFileSync(path.join(own, "dist/bundle/THIRD_PARTY_LICENSES.md"), "utf8");
    for (const name of ["commander", "ioredis", "conf", "@inquirer/core", "chalk"])
      expect(licences).toContain(`## ${name} `);
  });

  it.each(TRANSPORTS)("lists and shows sessions over %s", async (transport) => {
    const prefix = `${uniqueId("pack")}:`;
    const cluster = transport === "cluster" ? clusterApp() : undefined;
    const app = cluster ?? appRedis();
    await app.lpush(`${prefix}s1`, JSON.stringify({ type: "human", data: { content: "from the tarball" } }));
    const configDir = tempConfigDir();
    const run = (args: string[]) =>
      spawnSync(bin, args, { encoding: "utf8", env: { ...baseEnv(configDir), ...connectionEnv(transport) } });
    const list = run(["sessions", "list", "--prefix", prefix, "--json"]);
    expect(list.stderr).toBe("");
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout).map((s: { sessionId: string }) => s.sessionId)).toEqual(["s1"]);
    const show = run(["history", "show", "s1", "--prefix", prefix, "--format", "text"]);
    expect(show.status).toBe(0);
    expect(show.stdout).toBe("[1] user: from the tarball\n");
    await app.del(`${prefix}s1`);
    await app.quit();
  });
});
