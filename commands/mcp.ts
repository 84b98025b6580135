import { Command } from "commander";
import type { Context } from "../src/program/context.js";
import { examples } from "../src/program/options.js";

export function mcpCommand(ctx: Context): Command {
  return new Command("mcp")
    .description("serve the chat memory to AI assistants (Claude, Cursor, VS Code) over MCP on stdio")
    .option("--allow-writes", "also offer the tools that change data (append, TTL, trim, clear, repair, summary)")
    .addHelpText(
      "after",
      examples(
        "mcp                                   # read-only tools, for an MCP client to start",
        "mcp --allow-writes --profile staging",
      ) +
        "\nRead tools: list_sessions, show_history, search_messages, session_stats,\n" +
        "diagnose_session, summarize_session.\n" +
        "With --allow-writes also: append_message, set_ttl, trim_session, clear_sessions,\n" +
        "repair_session, store_summary (trim, clear, repair and store_summary save what\n" +
        "they change to a backup file first).\n" +
        "The connection comes from the flags, profile or environment, as for every command.\n" +
        "Claude Code: claude mcp add upstash-memory -- npx -y upstash-memory mcp\n" +
        "(the README shows Claude Desktop, Cursor and VS Code too).\n",
    )
    .action(async (opts: { allowWrites?: boolean }, cmd: Command) => {
      const { runMcpServer } = await import("../src/mcp/server.js");
      await runMcpServer(ctx, cmd, { allowWrites: Boolean(opts.allowWrites) });
    });
}
