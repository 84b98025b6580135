// The command tree. Each module builds one commander Command; nothing heavy is
// imported here (actions load their dependencies when they run).
import type { Command } from "commander";
import type { Context } from "../src/program/context.js";
import { devCommand } from "./dev.js";
import { completeCommand, completionCommand } from "./completion.js";
import { sessionsCommand } from "./sessions/index.js";
import { historyCommand } from "./history/index.js";
import { loginCommand, logoutCommand } from "./login.js";
import { configCommand } from "./config/index.js";
import { appendCommand } from "./append.js";
import { expireCommand } from "./expire.js";
import { clearCommand } from "./clear.js";
import { exportCommand } from "./export.js";
import { importCommand } from "./import.js";
import { doctorCommand } from "./doctor.js";
import { repairCommand } from "./repair.js";
import { summarizeCommand } from "./summarize.js";
import { trimCommand } from "./trim.js";
import { mcpCommand } from "./mcp.js";
import { searchCommand } from "./search.js";
import { statsCommand } from "./stats.js";

/** Every top-level command, in the order help lists them. */
const COMMANDS: [name: string, build: (ctx: Context) => Command, hidden?: boolean][] = [
  ["sessions", sessionsCommand],
  ["history", historyCommand],
  ["append", appendCommand],
  ["expire", expireCommand],
  ["clear", clearCommand],
  ["search", searchCommand],
  ["stats", statsCommand],
  ["export", exportCommand],
  ["import", importCommand],
  ["doctor", doctorCommand],
  ["repair", repairCommand],
  ["summarize", summarizeCommand],
  ["trim", trimCommand],
  ["mcp", mcpCommand],
  ["login", loginCommand],
  ["logout", logoutCommand],
  ["config", configCommand],
  ["dev", devCommand],
  ["completion", completionCommand],
  ["complete", completeCommand, true],
];

/** Commands that read the whole tree (shell completion describes every command). */
const NEEDS_ALL = new Set(["completion", "complete"]);

/**
 * Adds the commands to the program. With `only` (the command named on the
 * command line), just that one: building all of them costs more than a
 * `--help` or a one-request command does otherwise. Anything else (no
 * command, a misspelt one, `help`) gets the whole tree, for the root help
 * and commander's suggestions.
 */
export function registerCommands(program: Command, ctx: Context, only?: string): void {
  const one = only !== undefined && !NEEDS_ALL.has(only) ? COMMANDS.find(([name]) => name === only) : undefined;
  for (const [, build, hidden] of one ? [one] : COMMANDS)
    program.addCommand(build(ctx), hidden ? { hidden: true } : {});
}
