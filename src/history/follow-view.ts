// Drives `follow` for the command: parses the timing flags, stops on Ctrl-C
// (or --for), and renders each event in the chosen format.
import { follow } from "./follow.js";
import type { Store } from "../store/types.js";
import type { Output } from "../render/output.js";
import { renderMessages, type HistoryFormat, type HistoryView, warnUnrecognized } from "../render/history.js";
import { UsageError } from "../errors/errors.js";
import { parseDurationMs } from "../duration/duration.js";
import { sanitizeLine } from "../text/sanitize.js";
import { plural } from "../text/plural.js";

export function parseInterval(text: string, what: string): number {
  const value = parseDurationMs(text, what);
  if (value < 100) throw new UsageError(`${what} must be at least 100ms`);
  return value;
}

export async function followSession(
  store: Store,
  out: Output,
  view: HistoryView,
  opts: { format: HistoryFormat; interval: string; for?: string },
): Promise<void> {
  const intervalMs = parseInterval(opts.interval, "--interval");
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const timer = opts.for ? setTimeout(stop, parseInterval(opts.for, "--for")) : undefined;
  const streaming =
    opts.format === "json" ? "ndjson" : opts.format === "table" ? (out.tty ? "text" : "table") : opts.format;
  const note = async (event: string, text: string) => {
    if (streaming === "ndjson") await out.ndjson({ event, sessionId: view.sessionId });
    out.warn(text);
  };
  if (view.count === 0) out.warn(`waiting for session '${sanitizeLine(view.sessionId)}'…`);
  if (out.tty) out.warn("following; Ctrl-C to stop");
  try {
    // With --last the oldest element was not read (the first poll learns it); with --first, the newest.
    const oldest = view.messages[0]?.index === 1 ? view.messages[0].rawBytes : null;
    const last = view.messages[view.messages.length - 1];
    const newest = last?.index === view.count ? last.rawBytes : null;
    const state = { seen: view.count, oldest, newest, ttlSeconds: view.ttlSeconds };
    for await (const e of follow(store, view.key, state, { intervalMs, signal: controller.signal })) {
      if (e.kind === "messages") {
        warnUnrecognized(out, e.messages, view.sessionId);
        await renderMessages(out, { ...view, messages: e.messages }, streaming);
      } else if (e.kind === "cleared")
        await note("cleared", `session ${view.sessionId} was cleared (the key was deleted)`);
      else if (e.kind === "expired") await note("expired", `session ${view.sessionId} expired (its TTL ran out)`);
      else if (e.kind === "compacted")
        await note(
          "compacted",
          `session ${view.sessionId} was rewritten (compacted to ${plural(e.count, "message")}, e.g. by summarize --store)`,
        );
      else if (e.kind === "started") {
        await note("started", `session ${view.sessionId} ${e.again ? "started again" : "started"}`);
        await renderMessages(out, { ...view, messages: e.messages }, streaming);
      }
    }
  } finally {
    clearTimeout(timer);
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
}
