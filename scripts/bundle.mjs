// Bundles the CLI for start-up speed. Node's ESM loader pays for every file it
// loads (resolve, read, format, compile: a few milliseconds each on a small
// machine), so a command that loads two files instead of ~60 modules starts in
// about half the time. The layout:
//
//   dist/bundle/main.mjs       src/main.ts: answers --version, then loads cli.mjs
//   dist/bundle/cli.mjs        everything of ours, and commander
//   dist/bundle/vendor/*       each other package, bundled into one file that
//                              is loaded when a command first needs it
//
// Nothing heavy runs at start: in cli.mjs, esbuild evaluates a module only when
// its importer is first imported (the sources load everything an action needs
// with `await import()`); Node's built-in modules are required when the module
// that imports them is evaluated, not when cli.mjs loads; packages imported
// with `await import()` become vendor/<name>.mjs, and the CommonJS packages
// listed in VENDOR_CJS (imported statically, e.g. ioredis) vendor/<name>.cjs,
// required on first use.
//
// Source maps sit next to each file; the CLI turns them on under --debug
// (process.setSourceMapsEnabled), so stack traces point at src/ and commands/.
// dist/bundle/meta.json (esbuild's metafile) lists what each file holds:
// test/e2e/startup.test.ts reads it to check what a command loads.
import { build } from "esbuild";
import { builtinModules, createRequire } from "node:module";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const OUT = path.join(ROOT, "dist", "bundle");
const requireFromRoot = createRequire(path.join(ROOT, "package.json"));

/** Packages bundled into cli.mjs: every command needs them at start. */
const INLINE_PACKAGES = new Set(["commander"]);
/** CommonJS packages that our code imports statically: required from vendor/<name>.cjs on first use. */
const VENDOR_CJS = new Set(["ioredis"]);

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
// Bundled CommonJS code calls require() for Node's built-in modules; ESM has none of its own.
const banner = { js: 'import { createRequire as __cliCreateRequire } from "node:module";\nconst require = __cliCreateRequire(import.meta.url);' };

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

const packageName = (spec) => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
const vendorFile = (name, ext) => `vendor/${name.replace(/^@/, "").replace(/\//g, "-")}.${ext}`;
const isOurs = (file) => !path.relative(ROOT, file).split(path.sep).includes("node_modules");

/** Decides, import by import, what goes into cli.mjs and what is loaded later. */
function layout(vendors) {
  return {
    name: "cli-layout",
    setup(b) {
      // main.mjs stays tiny: cli.mjs is a file of its own, imported after --version is answered.
      b.onResolve({ filter: /^\.\/cli\.js$/ }, (args) =>
        path.relative(ROOT, args.importer) === path.join("src", "main.ts") ? { path: "./cli.mjs", external: true } : undefined,
      );
      // The require() in a lazy-vendor module: the vendor file, next to cli.mjs at run time.
      b.onResolve({ filter: /^\.\/vendor\//, namespace: "lazy-vendor" }, (args) => ({ path: args.path, external: true }));
      // commander requires child_process for executable subcommands, which this CLI has none of.
      b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
        args.namespace === "file" && !isOurs(args.importer) ? { path: args.path, namespace: "on-first-use" } : undefined,
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
      b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: "js" }));
      b.onLoad({ filter: /.*/, namespace: "lazy-vendor" }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`./${vendorFile(args.path, "cjs")}`)});`,
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
const cli = await build({
  ...common,
  entryPoints: { main: "src/main.ts", cli: "src/cli.ts" },
  outdir: OUT,
  outExtension: { ".js": ".mjs" },
  format: "esm",
  banner,
  plugins: [layout(vendors)],
});
merge(meta, cli.metafile);

for (const [spec, kind] of vendors) {
  const entry = kind === "esm" ? fileURLToPath(import.meta.resolve(spec, pathToFileURL(path.join(ROOT, "package.json")).href)) : requireFromRoot.resolve(spec);
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
