#!/usr/bin/env node
// Launcher: everything lives in dist/bundle/ (`npm run build` bundles src/ and commands/).
import { run } from "../dist/bundle/main.mjs";

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
