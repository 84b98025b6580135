#!/usr/bin/env node
// Launcher: everything lives in dist/ (built from src/ and commands/).
import { run } from "../dist/src/main.js";

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
