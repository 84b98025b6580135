// `doctor`: every section in order, each feeding the next. A section that
// cannot run (no connection, no such key) leaves the later ones out instead of
// failing them again, and doctor itself never throws for a problem it is
// meant to diagnose: that problem is a failed check.
import type { Context, GlobalOptions } from "../program/context.js";
import type { StoreStats } from "../store/types.js";
import { KeySpace } from "../sessions/keys.js";
import { parseDuration } from "../duration/duration.js";
import { CliError } from "../errors/errors.js";
import { Findings, quoteKey, SECTIONS, type Check } from "./checks.js";
import { checkConfiguration, type Target } from "./config.js";
import { checkUrlShape } from "./url-shape.js";
import { checkToken } from "./token-shape.js";
import { checkNetwork } from "./network.js";
import { checkAccess, type Access } from "./access.js";
import { checkEmptyId, checkKey, checkSessionIds, MEMORY_KEY_NOTE } from "./key.js";
import { checkHealth, type ConfiguredTtl } from "./health.js";
import { checkContent } from "./content.js";
import { checkTurns } from "./turns.js";
import { checkCost } from "./cost.js";
import { checkCluster } from "./cluster.js";
import { checkContext, wantsContext, type ContextRequest } from "./context.js";

export interface DoctorRequest {
  ctx: Context;
  globals: GlobalOptions;
  sessionId?: string;
  /** The Flowise memory node's own Session Id (--flowise-session-id); else the profile's. */
  flowiseSessionId?: string;
  timeoutMs: number;
  debug?: (line: string) => void;
  /** --model, --context, --window, --max-tokens: the context checks (a model set in the profile counts too). */
  context?: ContextRequest;
}

export interface DoctorReport {
  checks: Check[];
  failed: boolean;
  /** The session given does not exist (exit 3, like every other command). */
  notFound: boolean;
  /** Requests doctor sent to the store, for --stats. */
  stats?: StoreStats;
  transport?: "rest" | "redis";
}

export async function runDoctor(req: DoctorRequest): Promise<DoctorReport> {
  const f = new Findings();
  const target = await checkConfiguration(f, req.ctx, req.globals);
  let access: Access | undefined;
  if (target) {
    const endpoint = checkUrlShape(f, target, req.ctx.io.env);
    if (endpoint && target.token) checkToken(f, target.token, target.tokenLabel ?? "the token", req.ctx.io.env);
    if (endpoint && (await checkNetwork(f, endpoint, req.timeoutMs))) {
      access = await checkAccess(f, endpoint, target, { timeoutMs: req.timeoutMs, debug: req.debug });
    }
    if (access) {
      const id = req.sessionId;
      await checkCluster(
        f,
        access.store,
        id === undefined ? undefined : { id, key: new KeySpace(target.resolved.prefix).key(id) },
      );
    }
  }
  try {
    if (access) checkEmptyId(f, access.emptyId);
    if (req.sessionId === undefined) {
      f.add(
        "key",
        "session",
        "info",
        "no session id given",
        "`upstash-memory doctor <sessionId>` checks one conversation; `upstash-memory sessions list` shows them",
      );
    } else if (!access || !target) {
      f.add("key", "session", "info", `session ${quoteKey(req.sessionId)} not checked: no working connection`);
    } else {
      const model = req.context?.model ?? target.resolved.profile?.model;
      await checkSession(f, access, target, req.sessionId, { ...req.context, model }, req.flowiseSessionId);
    }
    f.add("key", "memory-key", "info", MEMORY_KEY_NOTE);
  } finally {
    await access?.store.close();
  }
  // key.session fails only when the key does not exist (another type is key.type).
  const notFound = f.checks.some((c) => c.id === "key.session" && c.status === "fail");
  return {
    checks: bySection(f.checks),
    failed: f.failed,
    notFound,
    stats: access?.store.stats,
    transport: access?.store.transport,
  };
}

/** Sections in their fixed order; within one, the order the checks were made (sort is stable). */
function bySection(checks: Check[]): Check[] {
  return [...checks].sort((a, b) => SECTIONS.indexOf(a.section) - SECTIONS.indexOf(b.section));
}

async function checkSession(
  f: Findings,
  access: Access,
  target: Target,
  sessionId: string,
  context: ContextRequest,
  flowiseSessionId = target.resolved.profile?.flowise?.sessionId,
): Promise<void> {
  const keys = new KeySpace(target.resolved.prefix);
  try {
    const read = await checkKey(f, access.store, keys, sessionId, access.canScan);
    if (!read) return;
    if (flowiseSessionId !== undefined) await checkSessionIds(f, access.store, keys, sessionId, flowiseSessionId);
    checkHealth(f, read, sessionId, configuredTtl(target));
    const messages = checkContent(f, read, sessionId);
    checkTurns(f, messages);
    checkCost(f, read, messages, sessionId);
    if (wantsContext(context)) await checkContext(f, read, sessionId, context);
  } catch (err) {
    // The connection worked a moment ago; whatever broke now is a finding too.
    if (!(err instanceof CliError)) throw err;
    f.add("key", "read", "fail", `reading the session failed: ${err.message}`, err.hint);
  }
}

function configuredTtl(target: Target): ConfiguredTtl | undefined {
  const { profile, profileName } = target.resolved;
  if (!profile?.ttl) return undefined;
  try {
    return { seconds: parseDuration(profile.ttl, "ttl"), source: `profile '${profileName}'` };
  } catch {
    // `config set` validates the ttl; a hand-edited file may still hold nonsense.
    return undefined;
  }
}
