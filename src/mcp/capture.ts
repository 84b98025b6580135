// A renderer's piped output as text: the same lines the command prints into a
// pipe (no colours, no table borders), for a tool's text answer.
import { Readable, Writable } from "node:stream";
import { Output } from "../render/output.js";

export async function captureText(
  env: NodeJS.ProcessEnv,
  body: (out: Output) => Promise<void> | void,
): Promise<string> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const out = new Output(
    { stdout: sink, stderr: sink, stdin: Readable.from([]), env: { ...env, NO_COLOR: "1" } },
    false,
    false,
  );
  await body(out);
  return chunks.join("");
}
