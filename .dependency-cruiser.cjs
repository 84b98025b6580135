// Import rules for src/ and commands/ (npm run lint). The layers point down:
//   src/main.ts, src/cli.ts  →  commands/  →  src/<concept>/  →  src/store/
//   →  src/errors/, src/text/, src/duration/, src/terminal/io.ts
// ARCHITECTURE.md explains each folder. Type-only imports carry no run-time
// edge, so they may point anywhere (a concept may name a command's options type).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A run-time import circle: modules that load each other. Move what both need into the lower one.",
      from: { path: "^(src|commands)/" },
      to: { circular: true, dependencyTypesNot: ["type-only"], viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "only-the-program-imports-commands",
      severity: "error",
      comment: "commands/ sits above the core: only src/cli.ts (which builds the command tree) imports it.",
      from: { path: "^src/", pathNot: "^src/cli\\.ts$" },
      to: { path: "^commands/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "nothing-imports-the-entry",
      severity: "error",
      comment: "src/main.ts and src/cli.ts are the top: nothing below imports them.",
      from: { path: "^(src|commands)/", pathNot: "^src/main\\.ts$" },
      to: { path: "^src/(main|cli)\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "store-points-down",
      severity: "error",
      comment: "src/store/ is the only way to Redis and knows no concept above it: it imports only errors, text and duration.",
      from: { path: "^src/store/" },
      to: {
        path: "^src/",
        pathNot: "^src/(store|errors|text|duration)/",
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "base-points-nowhere",
      severity: "error",
      comment: "src/errors/, src/text/, src/duration/ and src/terminal/io.ts are the base: they import only each other.",
      from: { path: "^src/(errors|text|duration)/|^src/terminal/io\\.ts$" },
      to: {
        path: "^(src|commands)/",
        pathNot: "^src/(errors|text|duration)/|^src/terminal/io\\.ts$",
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "codec-knows-formats",
      severity: "error",
      comment: "Commands hand work to src/; they never open a transport themselves.",
      from: { path: "^commands/" },
      to: { path: "^src/store/(redis|rest|cluster|http|redis-exec)\\.ts$", dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules|test|bench|scripts)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs"] },
  },
};
