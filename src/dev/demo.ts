// `dev --seed --demo` (npm run demo): the main job, end to end, on the local
// endpoint: list the sample sessions, then show the first conversation.
import type { IO } from "../terminal/io.js";
import { openStore } from "../store/connect.js";
import { KeySpace } from "../sessions/keys.js";
import { collectSessions } from "../sessions/list.js";
import { loadHistory } from "../history/show.js";
import { Output } from "../render/output.js";
import { renderSessionTable } from "../render/sessions.js";
import { renderHistory, warnUnrecognized } from "../render/history.js";
import { SAMPLE_SESSION_IDS } from "./seed.js";

/** The demo runs from a clone (npm run demo), where the bare name is not on PATH: npx finds the package's bin. */
const RUN = "npx upstash-memory";

export async function runDemo(io: IO, endpoint: { url: string; token: string }): Promise<void> {
  const store = await openStore({ url: endpoint.url, token: endpoint.token, timeoutMs: 10_000 });
  const keys = new KeySpace("");
  const out = new Output(io);
  try {
    io.stderr.write(`\n$ ${RUN} sessions list\n`);
    await renderSessionTable(out, await collectSessions(store, keys, { sort: "name" }));
    const id = SAMPLE_SESSION_IDS[0];
    io.stderr.write(`\n$ ${RUN} history show ${id}\n`);
    const view = await loadHistory(store, keys, id);
    warnUnrecognized(out, view.messages);
    await renderHistory(out, view, "table");
    // One command a line: each fits an 80-column window, whole, ready to copy.
    io.stderr.write(
      `\nnext: keep an endpoint running, then ask it what went wrong with a session:\n  ${RUN} dev --seed\n  ${RUN} --profile local doctor user-42\n`,
    );
  } finally {
    await store.close();
  }
}
