import { Command } from "commander";
import type { Context } from "../../src/program/context.js";
import { historyShowCommand } from "./show.js";

export function historyCommand(ctx: Context): Command {
  return new Command("history").description("read one conversation").addCommand(historyShowCommand(ctx));
}
