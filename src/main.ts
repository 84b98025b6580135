// Entry point. `--version` is answered before the command tree loads, so the
// most-run health check costs little more than starting node itself.
import { VERSION } from "./version.js";

export async function run(argv: string[]): Promise<number> {
  // `upstash-memory ... | head`: the reader went away; stop quietly, as Unix tools do.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    process.stdout.write(VERSION + "\n");
    return 0;
  }
  // The build is bundled (scripts/bundle.mjs); under --debug, stack traces
  // map back to src/ and commands/ through the source maps next to it.
  if (argv.includes("--debug")) process.setSourceMapsEnabled(true);
  const { main } = await import("./cli.js");
  return main(argv);
}
