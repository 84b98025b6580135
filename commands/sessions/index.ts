import { Command } from "commander";
import type { Context } from "../../src/program/context.js";
import { sessionsListCommand } from "./list.js";

export function sessionsCommand(ctx: Context): Command {
  return new Command("sessions")
    .description("list the chat sessions in the store")
    .addCommand(sessionsListCommand(ctx));
}
