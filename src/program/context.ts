// What a command gets: its IO, the global flags, and lazy access to the store.
// Nothing here imports a Redis client; transports load on first connect().
import type { Command } from "commander";
import type { IO } from "../terminal/io.js";

export interface GlobalOptions {
  url?: string;
  token?: string;
  profile?: string;
  prefix?: string;
  timeout?: string;
  debug?: boolean;
  stats?: boolean;
  color?: boolean;
  allowPartial?: boolean;
  /** false with --no-pager. */
  pager?: boolean;
}

export interface Context {
  io: IO;
  /** Global flags as given on the command line (commander's optsWithGlobals). */
  globals(cmd: Command): GlobalOptions;
}

export function createContext(io: IO): Context {
  return {
    io,
    globals: (cmd) => cmd.optsWithGlobals() as GlobalOptions,
  };
}
