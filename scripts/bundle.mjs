// Bundles the CLI for start-up speed. Node's ESM loader pays for every file it
// loads (resolve, read, format, compile: a millisecond or more each on a small
// machine) and V8 parses every byte of a file it loads (a few milliseconds per
// 100 kB), so a command that loads two files holding only what it may need,
// instead of ~60 modules, starts in about half the time. The layout:
//
//   dist/bundle/main.mjs      src/main.ts: answers --version, then loads cli.mjs
//   dist/bundle/cli.mjs       commander and our code that any command may need
//   dist/bundle/heavy.mjs     our code that only some commands run (HEAVY_DIRS:
//                             the dev endpoint, doctor, summarize, repair,
//                             completion)
//   dist/bundle/vendor/*      each other package, bundled into one file that is
//                             loaded when a command first needs it; and
//                             packages that must share one copy of a third
//                             (the MCP SDK and zod), bundled together from a
//                             file of ours that re-exports them (OWN_VENDORS)
//
// Nothing heavy runs at start: in cli.mjs, esbuild evaluates a module only when
// its importer is first imported (the sources load what an action needs with
// `await import()`); Node's built-in modules are required when the module that
// imports them is evaluated, not when the file loads; packages imported with
// `await import()` become vendor/<name>.mjs, and the CommonJS packages listed
// in VENDOR_CJS (imported statically, e.g. ioredis) vendor/<name>.cjs,
// required on first use. heavy.mjs takes the modules of cli.mjs it uses from
// cli.mjs itself (see heavyLoader): no module is ever in two files, so classes
// (errors) and state are shared as in the sources.
//
// Source maps sit next to each file; the CLI turns them on under --debug
// (process.setSourceMapsEnabled), so stack traces point at src/ and commands/.
// dist/bundle/meta.json (esbuild's metafile) lists what each file holds:
// test/e2e/startup.test.ts reads it to check what a command loads.
import { build } from "esbuild";
import { builtinModules, createRequire } from "node:module";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const OUT = path.join(ROOT, "dist", "bundle");
const requireFromRoot = createRequire(path.join(ROOT, "package.json"));

/** Our code that only some commands run (with what imports it statically): heavy.mjs. */
const HEAVY_DIRS = ["src/dev/", "src/doctor/", "src/summarize/", "src/repair/", "src/completion/", "src/mcp/"];
/**
 * Files of ours that only re-export packages, imported with `await import()`:
 * each becomes vendor/<name>.mjs with those packages in it, so packages that
 * must share a dependency (the MCP SDK checks schemas made with its own zod)
 * get one copy of it, loaded only by the command that imports the file.
 */
const OWN_VENDORS = new Map([["src/mcp/sdk.ts", "mcp-sdk"]]);
/** Where heavy.mjs finds the modules of cli.mjs it uses. */
const REGISTRY = 'globalThis[Symbol.for("upstash-memory.modules")]';
/** Packages bundled into cli.mjs: every command needs them at start. */
const INLINE_PACKAGES = new Set(["commander"]);
/** CommonJS packages that our code imports statically: required from vendor/<name>.cjs on first use. */
const VENDOR_CJS = new Set(["ioredis"]);

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
// Bundled CommonJS code calls require() for Node's built-in modules; ESM has none of its own.
const banner = {
  js: 'import { createRequire as __cliCreateRequire } from "node:module";\nconst require = __cliCreateRequire(import.meta.url);',
};

const common = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  sourcesContent: false,
  metafile: true,
  // Less to read and parse at every start; names are kept, and --debug maps back to the sources.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
};

const packageName = (spec) =>
  spec
    .split("/")
    .slice(0, spec.startsWith("@") ? 2 : 1)
    .join("/");
const vendorFile = (name, ext) => `vendor/${name.replace(/^@/, "").replace(/\//g, "-")}.${ext}`;
const isOurs = (file) => !path.relative(ROOT, file).split(path.sep).includes("node_modules");

/** A relative import of ours as the metafile names it (src/x/y.ts). */
const ownPath = (importer, spec) =>
  path
    .relative(ROOT, path.resolve(path.dirname(importer), spec))
    .split(path.sep)
    .join("/")
    .replace(/\.js$/, ".ts");

/** `await import()` of an OWN_VENDORS file: vendor/<name>.mjs, next to the importer at run time. */
function ownVendors(vendors) {
  return {
    name: "own-vendors",
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== "dynamic-import" || !isOurs(args.importer)) return undefined;
        const target = ownPath(args.importer, args.path);
        const name = OWN_VENDORS.get(target);
        if (!name) return undefined;
        vendors.set(target, "own");
        return { path: `./vendor/${name}.mjs`, external: true };
      });
    },
  };
}

/** Decides, import by import, what goes into cli.mjs and what is loaded later. */
function layout(vendors) {
  return {
    name: "cli-layout",
    setup(b) {
      // main.mjs stays tiny: cli.mjs is a file of its own, imported after --version is answered.
      b.onResolve({ filter: /^\.\/cli\.js$/ }, (args) =>
        path.relative(ROOT, args.importer) === path.join("src", "main.ts")
          ? { path: "./cli.mjs", external: true }
          : undefined,
      );
      // The require() in a lazy-vendor module: the vendor file, next to cli.mjs at run time.
      b.onResolve({ filter: /^\.\/vendor\//, namespace: "lazy-vendor" }, (args) => ({
        path: args.path,
        external: true,
      }));
      // commander requires child_process for executable subcommands, which this CLI has none of.
      b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
        args.namespace === "file" && !isOurs(args.importer)
          ? { path: args.path, namespace: "on-first-use" }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: "on-first-use" }, (args) => ({
        contents: `let m;\nmodule.exports = new Proxy({}, { get: (_, key) => (m ??= require(${JSON.stringify(args.path)}))[key] });`,
        loader: "js",
      }));
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.namespace !== "file" || !isOurs(args.importer)) return undefined;
        if (BUILTINS.has(args.path)) {
          if (args.kind === "dynamic-import") return { path: args.path, external: true };
          // A static import of a built-in becomes a require() run when the importing module is evaluated.
          return { path: args.path, namespace: "lazy-builtin" };
        }
        const name = packageName(args.path);
        if (INLINE_PACKAGES.has(name)) return undefined;
        if (args.kind === "dynamic-import") {
          vendors.set(args.path, "esm");
          return { path: `./${vendorFile(args.path, "mjs")}`, external: true };
        }
        if (VENDOR_CJS.has(name)) {
          vendors.set(args.path, "cjs");
          return { path: args.path, namespace: "lazy-vendor" };
        }
        return undefined; // any other package imported statically: bundled inline, evaluated with its importer
      });
      b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: "js",
      }));
      b.onLoad({ filter: /.*/, namespace: "lazy-vendor" }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`./${vendorFile(args.path, "cjs")}`)});`,
        loader: "js",
      }));
    },
  };
}

/** Own modules (metafile paths) that are heavy: in HEAVY_DIRS, or importing one statically. */
function heavyModules(inputs) {
  const heavy = new Set(Object.keys(inputs).filter((p) => HEAVY_DIRS.some((d) => p.startsWith(d))));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, input] of Object.entries(inputs)) {
      if (heavy.has(p) || !isOurs(path.join(ROOT, p))) continue;
      if (input.imports.some((i) => i.kind !== "dynamic-import" && heavy.has(i.path))) {
        heavy.add(p);
        grew = true;
      }
    }
  }
  return heavy;
}

/** `await import("./x.js")` in a source file, with the metafile path of x. */
function rewriteDynamicImports(file, replace) {
  const rel = path.relative(ROOT, file).split(path.sep).join("/");
  return readFileSync(file, "utf8").replace(/await import\("(\.{1,2}\/[^"]+)\.js"\)/g, (whole, spec) => {
    const target = `${path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec))}.ts`;
    return replace(target) ?? whole;
  });
}

/**
 * cli.mjs side: an `await import()` of a heavy module becomes a call of the
 * loader, which first puts the modules of cli.mjs that heavy code uses in the
 * registry (each evaluated then, by esbuild's lazy initialisers), then imports
 * heavy.mjs, whose loader for the module gives its namespace.
 */
function heavyLoader(heavyTargets, shared) {
  const names = new Map([...heavyTargets].map((p, i) => [p, `m${i}`]));
  return {
    name: "heavy-loader",
    setup(b) {
      b.onResolve({ filter: /^upstash-memory:heavy-loader$/ }, () => ({
        path: "heavy-loader",
        namespace: "heavy-loader",
      }));
      b.onLoad({ filter: /.*/, namespace: "heavy-loader" }, () => ({
        contents: [
          "let loading;",
          "export function loadHeavy() {",
          "  return (loading ??= (async () => {",
          `    const registry = (${REGISTRY} ??= {});`,
          ...[...shared].map((p) => `    registry[${JSON.stringify(p)}] = await import(${JSON.stringify(`./${p}`)});`),
          '    return import("./heavy.mjs");',
          "  })());",
          "}",
        ].join("\n"),
        resolveDir: ROOT,
        loader: "js",
      }));
      b.onResolve({ filter: /^\.\/heavy\.mjs$/, namespace: "heavy-loader" }, () => ({
        path: "./heavy.mjs",
        external: true,
      }));
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!isOurs(args.path)) return undefined;
        let loader = false;
        let contents = rewriteDynamicImports(args.path, (target) => {
          const name = names.get(target);
          if (!name) return undefined;
          loader = true;
          return `(await (await __loadHeavy()).${name}())`;
        });
        // On the first line, so that the source map's lines stay right.
        if (loader) contents = `import { loadHeavy as __loadHeavy } from "upstash-memory:heavy-loader"; ${contents}`;
        return { contents, loader: "ts" };
      });
    },
  };
}

/**
 * heavy.mjs side: one entry exporting a loader for each heavy module an
 * `await import()` reaches; a module of cli.mjs that heavy code imports is
 * read from the registry.
 */
function heavyEntry(heavyTargets, heavy) {
  const names = new Map([...heavyTargets].map((p, i) => [p, `m${i}`]));
  return {
    name: "heavy-entry",
    setup(b) {
      b.onResolve({ filter: /^upstash-memory:heavy$/ }, () => ({ path: "heavy", namespace: "heavy-entry" }));
      b.onLoad({ filter: /.*/, namespace: "heavy-entry" }, () => ({
        // Loaders, not namespaces: each heavy module is evaluated when first asked for.
        contents: [...names]
          .map(([p, name]) => `export const ${name} = () => import(${JSON.stringify(`./${p}`)});`)
          .join("\n"),
        resolveDir: ROOT,
        loader: "js",
      }));
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.namespace !== "file" || !isOurs(args.importer)) return undefined;
        const target = ownPath(args.importer, args.path);
        if (heavy.has(target)) return undefined;
        return { path: target, namespace: "from-cli" };
      });
      b.onLoad({ filter: /.*/, namespace: "from-cli" }, (args) => ({
        contents: `module.exports = ${REGISTRY}[${JSON.stringify(args.path)}];`,
        loader: "js",
      }));
    },
  };
}

function merge(into, meta) {
  Object.assign(into.inputs, meta.inputs);
  Object.assign(into.outputs, meta.outputs);
}

rmSync(OUT, { recursive: true, force: true });
const vendors = new Map();
const meta = { inputs: {}, outputs: {} };
const esm = { ...common, outdir: OUT, outExtension: { ".js": ".mjs" }, format: "esm", banner };

// main.mjs: the entry, on its own.
merge(
  meta,
  (await build({ ...esm, entryPoints: { main: "src/main.ts" }, plugins: [ownVendors(vendors), layout(vendors)] }))
    .metafile,
);

// Which of our modules are heavy; which of those an `await import()` reaches from
// light code; which light modules heavy code imports (statically or not).
const graph = (
  await build({
    ...esm,
    entryPoints: { cli: "src/cli.ts" },
    write: false,
    plugins: [ownVendors(new Map()), layout(new Map())],
  })
).metafile.inputs;
const heavy = heavyModules(graph);
if (heavy.has("src/cli.ts"))
  throw new Error("src/cli.ts imports heavy code statically: see HEAVY_DIRS in scripts/bundle.mjs");
const ours = (p) => isOurs(path.join(ROOT, p)) && graph[p] && !p.includes(":");
const heavyTargets = new Set();
const shared = new Set();
for (const [p, input] of Object.entries(graph)) {
  if (!ours(p)) continue;
  for (const i of input.imports) {
    if (!ours(i.path)) continue;
    if (!heavy.has(p) && heavy.has(i.path) && i.kind === "dynamic-import") heavyTargets.add(i.path);
    if (heavy.has(p) && !heavy.has(i.path)) shared.add(i.path);
  }
}

merge(
  meta,
  (
    await build({
      ...esm,
      entryPoints: { cli: "src/cli.ts" },
      plugins: [ownVendors(vendors), heavyLoader(heavyTargets, shared), layout(vendors)],
    })
  ).metafile,
);
merge(
  meta,
  (
    await build({
      ...esm,
      entryPoints: { heavy: "upstash-memory:heavy" },
      plugins: [ownVendors(vendors), heavyEntry(heavyTargets, heavy), layout(vendors)],
    })
  ).metafile,
);

for (const [spec, kind] of vendors) {
  if (kind === "own") {
    const outfile = path.join(OUT, `vendor/${OWN_VENDORS.get(spec)}.mjs`);
    merge(meta, (await build({ ...common, entryPoints: [spec], outfile, format: "esm", banner })).metafile);
    continue;
  }
  const entry =
    kind === "esm"
      ? fileURLToPath(import.meta.resolve(spec, pathToFileURL(path.join(ROOT, "package.json")).href))
      : requireFromRoot.resolve(spec);
  const r = await build({
    ...common,
    entryPoints: [entry],
    outfile: path.join(OUT, vendorFile(spec, kind === "esm" ? "mjs" : "cjs")),
    format: kind,
    ...(kind === "esm" ? { banner } : {}),
  });
  merge(meta, r.metafile);
}
writeFileSync(path.join(OUT, "meta.json"), JSON.stringify(meta));
writeFileSync(path.join(OUT, "THIRD_PARTY_LICENSES.md"), thirdPartyLicenses(meta));

/**
 * The bundle holds other packages' code, and the package installs nothing else
 * (they are dev dependencies): their licences travel with it, one section per
 * package whose code is in a bundle file (from esbuild's metafile).
 */
function thirdPartyLicenses(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const parts = input.split("/");
    const at = parts.lastIndexOf("node_modules");
    if (at < 0) continue;
    dirs.add(parts.slice(0, at + (parts[at + 1].startsWith("@") ? 3 : 2)).join("/"));
  }
  const sections = [...dirs]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(path.join(ROOT, dir, "package.json"), "utf8"));
      const file = readdirSync(path.join(ROOT, dir)).find((f) => /^licen[cs]e(\.|$)/i.test(f));
      const text = file
        ? readFileSync(path.join(ROOT, dir, file), "utf8").trim()
        : `(no licence file in the package; its package.json says: ${pkg.license ?? "nothing"})`;
      return { title: `${pkg.name} ${pkg.version}`, license: pkg.license ?? "see below", text };
    })
    .sort((a, b) => (a.title < b.title ? -1 : 1));
  const unique = sections.filter((s, i) => i === 0 || s.title !== sections[i - 1].title);
  return [
    "# Third-party software in upstash-memory's bundle",
    "",
    "`dist/bundle/` contains code from the packages below, bundled by `scripts/bundle.mjs`.",
    "",
    ...unique.flatMap((s) => [`## ${s.title} (${s.license})`, "", "```", s.text, "```", ""]),
  ].join("\n");
}
