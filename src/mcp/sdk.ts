// The MCP SDK and zod, loaded together as one vendor file (scripts/bundle.mjs
// OWN_VENDORS): the SDK checks the schemas it is given against its own zod, so
// both must come from one copy. Only `upstash-memory mcp` loads this file.
export { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
export { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
export { z } from "zod";
