// The write tools' bodies: each runs what its command runs with --yes, checks
// every input before the first write, and saves what it deletes or rewrites to
// a backup file first (the answer names it).
import fs from "node:fs";
import path from "node:path";
import { NotFoundError, UsageError } from "../errors/errors.js";
import { missingNotes } from "../sessions/near-miss.js";
import { parseDuration } from "../duration/duration.js";
import { appendElement, contentFromBytes, elementFor } from "../write/append.js";
import { expireKeys } from "../write/expire.js";
import { unlinkUnchanged } from "../write/clear.js";
import { listTargetsById } from "../write/targets.js";
import { checkBackupFile, writeExportFile, type OutputFile } from "../transfer/write-file.js";
import { backUpKeys } from "../transfer/export.js";
import { configDir } from "../config/profiles.js";
import { notFound } from "../history/show.js";
import { appendJson, clearJson, describeTargets, expireJson, sessionLine, ttlText } from "../render/writes.js";
import { summaryJson } from "../render/summary.js";
import { plural } from "../text/plural.js";
import { answer, type ToolAnswer } from "./answer.js";
import { captureText } from "./capture.js";
import { engineFor, type SummarizeArgs } from "./read-tools.js";
import type { ToolEnv } from "./tools.js";

/** The backup file: the one given, or a new one under the config directory; checked before any write. */
function backupFile(env: ToolEnv, given: string | undefined, what: string): OutputFile {
  if (given !== undefined) return checkBackupFile(given);
  const dir = path.join(configDir(env.ctx.io.env), "backups");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return checkBackupFile(path.join(dir, `${what}-${stamp}-${process.pid}.jsonl`));
}

// --- append_message ----------------------------------------------------------

export async function appendTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const a = args as { sessionId: string; content: string; role?: string; toolCallId?: string; ttl?: string };
  const element = elementFor(a.role ?? "user", contentFromBytes(Buffer.from(a.content, "utf8"), false), a.toolCallId);
  let ttl = a.ttl !== undefined ? parseDuration(a.ttl, "ttl") : undefined;
  return env.use(async ({ store, keys, resolved }) => {
    if (ttl === undefined && resolved.profile?.ttl) ttl = parseDuration(resolved.profile.ttl, "profile ttl");
    const key = keys.key(a.sessionId);
    const r = await appendElement(store, key, element, ttl);
    return answer(
      appendJson(a.sessionId, key, r),
      sessionLine(a.sessionId, `${plural(r.count, "message")}, ${ttlText(r.ttlSeconds)}`),
    );
  });
}

// --- set_ttl -----------------------------------------------------------------

export async function setTtlTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const a = args as { sessionIds: string[]; ttl?: string; persist?: boolean };
  if ((a.ttl === undefined) === !a.persist)
    throw new UsageError("give either ttl or persist: true", "ttl sets a TTL (7d, 12h, 3600); persist removes it");
  const ttl: number | "persist" = a.persist ? "persist" : parseDuration(a.ttl!, "ttl");
  return env.use(async ({ store, keys }) => {
    const results = await expireKeys(
      store,
      a.sessionIds.map((id) => keys.key(id)),
      ttl,
    );
    const rows = results.map((x) => ({ ...x, sessionId: keys.sessionId(x.key) }));
    const notes = await missingNotes(
      store,
      keys,
      rows.filter((x) => x.status === "missing").map((x) => x.sessionId),
    );
    const lines = rows.map((x) =>
      sessionLine(
        x.sessionId,
        x.status === "missing"
          ? notes.get(x.sessionId)!
          : x.status === "not-a-list"
            ? "not a chat history (left unchanged)"
            : ttlText(x.ttlSeconds),
      ),
    );
    return answer(
      { sessions: expireJson(rows) },
      lines.join("\n"),
      rows.some((x) => x.status !== "ok"),
    );
  });
}

// --- clear_sessions ----------------------------------------------------------

export async function clearTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const a = args as { sessionIds: string[]; backup?: string };
  const file = backupFile(env, a.backup, "clear");
  return env.use(async ({ store, keys }) => {
    const { targets, missing } = await listTargetsById(store, keys, a.sessionIds, "not deleting it");
    const lines = [...(await missingNotes(store, keys, missing))].map(([id, note]) => sessionLine(id, note));
    if (!targets.length) {
      lines.push("nothing to delete");
      return answer({ deleted: [], changed: [], missing }, lines.join("\n"), true);
    }
    const n = await backUpKeys(
      store,
      keys,
      file,
      targets.map((t) => t.key),
    );
    lines.push(`backed up ${plural(n, "session")} to ${file.path} (restore: upstash-memory import ${file.path})`);
    const result = await unlinkUnchanged(store, targets);
    for (const t of result.changed)
      lines.push(sessionLine(t.sessionId, "changed since it was listed: kept (run the tool again to delete it)"));
    lines.push(describeTargets("deleted", result.deleted));
    const json = clearJson(result, missing);
    return answer(
      { ...json, backup: file.path },
      lines.join("\n"),
      Boolean(missing.length || result.changed.length || result.gone.length),
    );
  });
}

// --- repair_session ----------------------------------------------------------

export async function repairTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const a = args as { sessionIds: string[]; invisible?: boolean; dryRun?: boolean; backup?: string };
  const file = a.dryRun ? undefined : backupFile(env, a.backup, "repair");
  const { planRepairs } = await import("../repair/plan.js");
  const { applyRepairs } = await import("../repair/apply.js");
  const r = await import("../render/repair.js");
  return env.use(async ({ store, keys }) => {
    const { targets, missing } = await listTargetsById(store, keys, a.sessionIds, "nothing to repair");
    const { plans, clean, gone } = await planRepairs(store, keys, targets, { invisible: Boolean(a.invisible) });
    missing.push(...gone);
    const lines = [...(await missingNotes(store, keys, missing))].map(([id, note]) => sessionLine(id, note));
    if (a.dryRun || !plans.length) {
      if (plans.length) lines.push(`would ${r.describePlans(plans)}`, ...r.changeDetails(plans));
      else if (targets.length) lines.push(`nothing to repair: ${plural(clean.length, "session")} load as they are`);
      return answer(
        r.repairJson(plans.map(r.planJson), clean, missing, a.dryRun),
        lines.join("\n"),
        missing.length > 0,
      );
    }
    async function* asRead() {
      for (const p of plans) yield p.line;
    }
    const n = await writeExportFile(file!, asRead());
    lines.push(
      `backed up ${plural(n, "session")} to ${file!.path} (undo: upstash-memory import --replace ${file!.path})`,
    );
    const results = await applyRepairs(store, plans);
    lines.push(...results.map(r.resultLine));
    const json = { ...r.repairJson(results.map(r.resultJson), clean, missing), backup: file!.path };
    return answer(json, lines.join("\n"), missing.length > 0 || results.some((x) => x.status === "changed"));
  });
}

// --- store_summary -----------------------------------------------------------

export async function storeSummaryTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const a = args as unknown as SummarizeArgs & {
    keep?: number;
    summaryRole?: "human" | "ai" | "system";
    backup?: string;
  };
  const file = backupFile(env, a.backup, "summarize");
  const { summarizeSession } = await import("../summarize/session.js");
  return env.use(async ({ store, keys, resolved }) => {
    const { engine, llm } = await engineFor(env, a, resolved.profile?.llm);
    const { targets, missing } = await listTargetsById(store, keys, [a.sessionId], "not summarizing it");
    if (missing.length) throw await notFound(store, keys, a.sessionId);
    const n = await backUpKeys(
      store,
      keys,
      file,
      targets.map((t) => t.key),
    );
    if (!n) throw new NotFoundError(`no session '${a.sessionId}'`);
    const r = await summarizeSession(store, keys, a.sessionId, {
      engine,
      maxWords: a.maxWords ?? 120,
      llm,
      store: { keep: a.keep ?? 4, role: a.summaryRole ?? "human", dryRun: false, drafts: new Map() },
    });
    const stored = r.stored ? `\n${r.stored.status}: the session now holds ${plural(r.stored.length, "message")}` : "";
    return answer(
      { ...summaryJson(r), backup: file.path },
      `${r.summary}${stored}\nbacked up to ${file.path} (undo: upstash-memory import --replace ${file.path})`,
    );
  });
}

// --- trim_session ------------------------------------------------------------

export async function trimTool(args: Record<string, unknown>, env: ToolEnv): Promise<ToolAnswer> {
  const a = args as {
    sessionId: string;
    keep?: number;
    maxTokens?: number;
    keepSystem?: boolean;
    model?: string;
    dryRun?: boolean;
    backup?: string;
  };
  if ((a.keep === undefined) === (a.maxTokens === undefined))
    throw new UsageError(
      "give either keep or maxTokens",
      "keep N keeps the newest N messages; maxTokens T the newest that fit T tokens",
    );
  const file = a.dryRun ? undefined : backupFile(env, a.backup, "trim");
  const { counterFor, tokensSummary } = await import("../tokens/count.js");
  const { modelOf } = await import("../tokens/flags.js");
  const t = await import("../tokens/trim.js");
  const { renderTrim } = await import("../render/trim.js");
  return env.use(async ({ store, keys, resolved }) => {
    const counter = await counterFor(modelOf(a.model, resolved.profile));
    const model = tokensSummary(counter.choice, 0);
    const req = { keep: a.keep, maxTokens: a.maxTokens, keepSystem: a.keepSystem ?? true };
    const plans = await t.readTrims(store, keys, [a.sessionId], counter, req);
    const changing = plans.filter((p) => p.drop > 0);
    let note = "";
    let result: import("../tokens/trim.js").TrimResult;
    if (a.dryRun) result = { trimmed: changing.map((p) => t.trimmedOf(p)), changed: [], dryRun: true };
    else {
      if (changing.length) {
        await writeExportFile(file!, t.droppedLines(changing));
        note = `\nbacked up the dropped messages to ${file!.path}`;
      }
      result = await t.applyTrims(store, plans);
    }
    const text = await captureText(env.ctx.io.env, (out) => renderTrim(out, plans, result, model, false));
    const backup = note ? { backup: file!.path } : {};
    return answer({ ...result, ...backup }, text.trim() + note, result.changed.length > 0);
  });
}
