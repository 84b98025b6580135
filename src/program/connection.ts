// Turns the global flags into an open store: resolves the connection, opens the
// transport, and reports --stats / warnings when the command is done.
import type { Command } from "commander";
import type { Context } from "./context.js";
import { needsProfiles, resolveConnection, type Resolved } from "../config/resolve.js";
import type { ProfileStore } from "../config/profiles.js";
import { openStore } from "../store/connect.js";
import type { Store } from "../store/types.js";
import { KeySpace } from "../sessions/keys.js";
import { parseDurationMs } from "../duration/duration.js";
import { redact } from "../errors/secrets.js";

export interface Connection {
  store: Store;
  resolved: Resolved;
  keys: KeySpace;
  /** Closes the store and prints --stats; call once, in finally. */
  close(): Promise<void>;
}

export async function loadProfiles(ctx: Context): Promise<ProfileStore> {
  const { ProfileStore } = await import("../config/profiles.js");
  const profiles = await ProfileStore.open(ctx.io.env);
  for (const fix of profiles.permissionFixes) {
    ctx.io.stderr.write(
      `warning: ${fix.path} was readable by others (mode ${fix.was.toString(8)}); changed to ${fix.now.toString(8)}\n`,
    );
  }
  return profiles;
}

export async function resolveFor(ctx: Context, cmd: Command): Promise<{ resolved: Resolved; profiles?: ProfileStore }> {
  const g = ctx.globals(cmd);
  const profiles = needsProfiles(g, ctx.io.env) ? await loadProfiles(ctx) : undefined;
  return { resolved: resolveConnection(g, ctx.io.env, profiles), profiles };
}

export function debugLogger(ctx: Context, cmd: Command): ((line: string) => void) | undefined {
  return ctx.globals(cmd).debug ? (line) => ctx.io.stderr.write(`${redact(`debug: ${line}`)}\n`) : undefined;
}

export function timeoutMs(ctx: Context, cmd: Command): number {
  return parseDurationMs(ctx.globals(cmd).timeout ?? "10s", "--timeout");
}

export async function connect(ctx: Context, cmd: Command): Promise<Connection> {
  const { resolved } = await resolveFor(ctx, cmd);
  for (const w of resolved.warnings) ctx.io.stderr.write(`${w}\n`);
  const store = await openStore({
    url: resolved.url,
    token: resolved.token,
    timeoutMs: timeoutMs(ctx, cmd),
    debug: debugLogger(ctx, cmd),
    allowPartial: ctx.globals(cmd).allowPartial,
    warn: (line) => ctx.io.stderr.write(`${redact(line)}\n`),
  });
  const stats = ctx.globals(cmd).stats;
  return {
    store,
    resolved,
    keys: new KeySpace(resolved.prefix),
    async close() {
      await store.close();
      if (stats) {
        const { statsLine } = await import("../render/stats.js");
        ctx.io.stderr.write(`${statsLine(store.transport, store.stats)}\n`);
      }
    },
  };
}

/** Run `body` with an open connection, always closing it. */
export async function withConnection<T>(ctx: Context, cmd: Command, body: (c: Connection) => Promise<T>): Promise<T> {
  const c = await connect(ctx, cmd);
  try {
    return await body(c);
  } finally {
    await c.close();
  }
}
