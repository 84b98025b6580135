#!/usr/bin/env node
// Launcher: everything lives in dist/ (built from src/ and commands/).
import { main } from "../dist/src/cli.js";

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
