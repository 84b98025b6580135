import { Command, Option } from "commander";
import type { Context } from "../src/program/context.js";
import { CliError, ExitCode } from "../src/errors/errors.js";
import { examples, flagRules, shellLine, positiveInt, nonNegativeInt } from "../src/program/options.js";

interface SummarizeOpts {
  match?: string;
  engine?: "extractive" | "llm";
  model?: string;
  maxWords: number;
  maxInputTokens: number;
  prompt?: string;
  llmTimeout: string;
  store?: boolean;
  keep: number;
  fit?: number;
  summaryRole: "human" | "ai" | "system";
  dryRun?: boolean;
  backup?: string;
  yes?: boolean;
  json?: boolean;
  concurrency: number;
}

export function summarizeCommand(ctx: Context): Command {
  return new Command("summarize")
    .description("summarize a conversation (offline, or with any OpenAI-compatible model); --store compacts it")
    .argument("[sessionId]", "the session id (or --match)")
    .option("--match <pattern>", "every session whose id matches the glob")
    .addOption(
      new Option("--engine <engine>", "extractive (offline) or llm (default: llm when a model is configured)").choices([
        "extractive",
        "llm",
      ]),
    )
    .option("--model <name>", "model for the llm engine (else llm.model / UPSTASH_MEMORY_MODEL); --fit counts for it")
    .option("--max-words <n>", "extractive summary length", positiveInt, 120)
    .option("--max-input-tokens <n>", "llm: larger conversations are summarized progressively", positiveInt, 6000)
    .option("--prompt <file>", "llm: instructions that replace the default ones")
    .option("--llm-timeout <duration>", "llm: per-request timeout", "60s")
    .option("--store", "replace all but the newest --keep messages with one summary message")
    .option("--keep <n>", "with --store: newest messages kept as they are", nonNegativeInt, 4)
    .option("--fit <t>", "with --store: keep the newest messages that fit T tokens with the summary", positiveInt)
    .addOption(
      new Option("--summary-role <role>", "with --store: the summary message's type")
        .choices(["human", "ai", "system"])
        .default("human"),
    )
    .option("--dry-run", "with --store: show the resulting history, write nothing")
    .option("--backup <file>", "with --store: export the session before changing it")
    .option("-y, --yes", "with --store: do not ask (required when not on a terminal)")
    .option("--concurrency <n>", "with --match: sessions summarized at once", positiveInt, 4)
    .option("--json", "JSON {sessionId,engine,summary,summarizedCount}")
    .addHelpText(
      "after",
      examples(
        "summarize user-42                              # offline extractive summary",
        "summarize user-42 --engine llm --model llama3.2   # Ollama at localhost:11434 by default",
        shellLine("OPENAI_API_KEY=sk-... upstash-memory summarize user-42 --model gpt-4o-mini"),
        "summarize user-42 --store --keep 6 --dry-run",
        "summarize user-42 --store --fit 4000 --model gpt-4o-mini --yes",
        "summarize --match 'support-*' --store --yes --backup b.jsonl",
      ) +
        '\nThe stored summary is a `human` message by default ("Summary of the earlier conversation: ..."):\n' +
        "apps put their own system prompt first, and some model adapters reject a system message that is not first.\n",
    )
    .hook(
      "preAction",
      flagRules({
        oneOf: [[["<sessionId>", "--match"], "upstash-memory summarize <sessionId> or --match PATTERN"]],
        exclusive: [["--keep", "--fit"]],
        requires: {
          "--dry-run": "--store",
          "--backup": "--store",
          "--keep": "--store",
          "--fit": "--store",
          "--summary-role": "--store",
          "--concurrency": "--match",
        },
      }),
    )
    .action(async (sessionIdArg: string | undefined, opts: SummarizeOpts, cmd: Command) => {
      const { validateSessionId } = await import("../src/sessions/keys.js");
      const sessionId = sessionIdArg === undefined ? undefined : validateSessionId(sessionIdArg);
      const { checkBackupFile } = await import("../src/transfer/write-file.js");
      const backup = opts.backup !== undefined ? checkBackupFile(opts.backup) : undefined;
      const { withConnection } = await import("../src/program/connection.js");
      const { Output } = await import("../src/render/output.js");
      const { foldWarnings, renderSummary, summaryJson } = await import("../src/render/summary.js");
      const { summarizeSession } = await import("../src/summarize/session.js");
      const { buildLlmOptions } = await import("../src/summarize/engine-options.js");
      const out = new Output(ctx.io, ctx.globals(cmd).color);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      try {
        await withConnection(ctx, cmd, async ({ store, keys, resolved }) => {
          const { engine, llm } = await buildLlmOptions({
            requested: opts.engine,
            model: opts.model,
            profile: resolved.profile?.llm,
            env: ctx.io.env,
            maxInputTokens: opts.maxInputTokens,
            promptFile: opts.prompt,
            timeout: opts.llmTimeout,
            signal: controller.signal,
          });
          const single = sessionId !== undefined;
          const ids = single ? [sessionId] : await matchIds(store, keys, opts.match!);
          if (!ids.length) {
            const { warnNoMatch } = await import("../src/render/writes.js");
            warnNoMatch(out, opts.match!);
            if (opts.json) await out.json([]);
            return;
          }
          const writes = opts.store && !opts.dryRun;
          const { plural } = await import("../src/render/writes.js");
          const kept =
            opts.fit !== undefined ? `all but the newest messages that fit ${opts.fit} tokens` : keptText(opts.keep);
          const question = `replace ${kept} of ${single ? `session '${sessionId}'` : plural(ids.length, "session")} with a summary?`;
          const { confirmChanges, requireConsent } = await import("../src/terminal/prompts.js");
          if (writes) requireConsent(ctx.io, question, opts.yes);
          // On a terminal, the summaries are computed first and shown with the question.
          const ask = writes && !opts.yes;
          const streamed = single && engine === "llm" && out.tty && !opts.json && !ask;
          if (streamed && llm) llm.onDelta = (t) => ctx.io.stdout.write(t);
          // A long conversation takes several model requests: show how far it got (stderr, terminal only).
          const { progress } = await import("../src/render/progress.js");
          const steps = single && llm && !ask ? progress(ctx.io) : undefined;
          if (steps && llm)
            llm.onStep = (from, to, total) => {
              if (to === total && streamed) steps.done();
              else steps.update(`summarizing: the model has read ${from}/${total} parts, now up to ${to}…`);
            };
          let fit: { maxTokens: number; count: (text: string) => number } | undefined;
          if (opts.fit !== undefined) {
            // The model the history is sent to: --model, the profile's model, else its llm.model.
            const { counterFor } = await import("../src/tokens/count.js");
            const p = resolved.profile;
            const counter = await counterFor(opts.model ?? p?.model ?? p?.llm?.model);
            fit = { maxTokens: opts.fit, count: counter.text };
          }
          const storeOpts = opts.store
            ? { keep: opts.keep, fit, role: opts.summaryRole, dryRun: Boolean(opts.dryRun), drafts: new Map() }
            : undefined;
          const { mapBounded } = await import("../src/summarize/bounded.js");
          if (ask) {
            const bar = progress(ctx.io);
            const draftRun = (id: string) =>
              summarizeSession(store, keys, id, {
                engine,
                maxWords: opts.maxWords,
                llm,
                store: { ...storeOpts!, dryRun: true },
              });
            const drafts = await mapBounded(ids, opts.concurrency, draftRun, (done) =>
              bar.update(`summarized ${done}/${ids.length}…`),
            );
            bar.done();
            const changing = drafts.filter((d) => d.draft);
            for (const d of changing) storeOpts!.drafts.set(d.sessionId, d.draft!);
            if (changing.length) {
              const { approvalLines } = await import("../src/render/summary.js");
              const changes = changing.map((d) => ({ sessionId: d.sessionId, count: d.draft!.count }));
              await confirmChanges(ctx.io, { question, changes, details: approvalLines(changing, opts.keep) });
            }
          }
          if (writes && backup) {
            // One export of every session about to change, complete before anything is written.
            const { backUpKeys } = await import("../src/transfer/export.js");
            await backUpKeys(
              store,
              keys,
              backup,
              ids.map((id) => keys.key(id)),
            );
          }
          const run = (id: string) =>
            summarizeSession(store, keys, id, { engine, maxWords: opts.maxWords, llm, store: storeOpts });
          if (single) {
            let r: Awaited<ReturnType<typeof run>>;
            try {
              r = await run(sessionId);
            } finally {
              steps?.done();
            }
            // On a terminal the question showed these already.
            if (!ask) for (const w of foldWarnings([r])) out.warn(w);
            if (opts.json) await out.json(summaryJson(r));
            else await renderSummary(out, r, { streamed, heading: false });
            return;
          }
          const bar = progress(ctx.io);
          const results = await mapBounded(ids, opts.concurrency, run, (done) =>
            bar.update(`summarized ${done}/${ids.length}…`),
          );
          bar.done();
          if (!ask) for (const w of foldWarnings(results)) out.warn(w);
          if (opts.json) await out.json(results.map(summaryJson));
          else for (const r of results) await renderSummary(out, r, { streamed: false, heading: true });
        });
      } catch (err) {
        if ((err as Error)?.name === "AbortError")
          throw new CliError("cancelled: nothing was written", ExitCode.interrupted);
        throw err;
      } finally {
        process.removeListener("SIGINT", onSigint);
      }
    });
}

/** "all but the newest 4 messages", "all but the newest message", "all the messages". */
function keptText(keep: number): string {
  if (keep === 0) return "all the messages";
  return keep === 1 ? "all but the newest message" : `all but the newest ${keep} messages`;
}

async function matchIds(
  store: import("../src/store/types.js").Store,
  keys: import("../src/sessions/keys.js").KeySpace,
  pattern: string,
): Promise<string[]> {
  const { targetsByPattern } = await import("../src/write/targets.js");
  return (await targetsByPattern(store, keys, pattern)).map((t) => t.sessionId).sort();
}
