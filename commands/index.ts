// The command tree. Each module builds one commander Command; nothing heavy is
// imported here (actions load their dependencies when they run).
import type { Command } from "commander";
import type { Context } from "../src/context.js";
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

export function registerCommands(program: Command, ctx: Context): void {
  program.addCommand(sessionsCommand(ctx));
  program.addCommand(historyCommand(ctx));
  program.addCommand(appendCommand(ctx));
  program.addCommand(expireCommand(ctx));
  program.addCommand(clearCommand(ctx));
  program.addCommand(exportCommand(ctx));
  program.addCommand(importCommand(ctx));
  program.addCommand(doctorCommand(ctx));
  program.addCommand(repairCommand(ctx));
  program.addCommand(summarizeCommand(ctx));
  program.addCommand(loginCommand(ctx));
  program.addCommand(logoutCommand(ctx));
  program.addCommand(configCommand(ctx));
  program.addCommand(devCommand(ctx));
  program.addCommand(completionCommand(ctx));
  program.addCommand(completeCommand(ctx), { hidden: true });
}
