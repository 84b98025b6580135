// Entry point. `--version` is answered before the command tree loads, so the
// most-run health check costs little more than starting node itself.
import fs from "node:fs";
import { VERSION } from "./program/version.js";

// stdout's EPIPE handling (`... | head`) is set up where the stream is first used (src/terminal/io.ts).
export async function run(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    // One blocking write: building process.stdout would cost more than the rest.
    try {
      fs.writeSync(1, `${VERSION}\n`);
    } catch (err) {
      // The reader went away (`--version | true`): nothing to say, as Unix tools do.
      if ((err as NodeJS.ErrnoException).code !== "EPIPE") throw err;
    }
    return 0;
  }
  // The build is bundled (scripts/bundle.mjs); under --debug, stack traces
  // map back to src/ and commands/ through the source maps next to it.
  if (argv.includes("--debug")) process.setSourceMapsEnabled(true);
  const { main } = await import("./cli.js");
  return main(argv);
}
