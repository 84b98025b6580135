// Reasoning models served by Ollama, LM Studio or vLLM (DeepSeek-R1, Qwen3)
// often put their chain of thought in the reply, wrapped in <think>…</think>,
// before the answer. It is not part of the summary and must not be stored.

const OPEN = "<think>";
const CLOSE = "</think>";
const LEADING_THOUGHT = /^\s*<think>[\s\S]*?<\/think>\s*/;

export function stripReasoning(text: string): string {
  return text.replace(LEADING_THOUGHT, "");
}

/** Wraps a delta callback so a leading <think> block is never passed on. */
export function withoutReasoning(onDelta: (text: string) => void): (text: string) => void {
  let buffered = "";
  let passing = false;
  // After a thought block, the blank lines before the answer are not passed on either.
  let skipSpace = false;
  const pass = (delta: string) => {
    const text = skipSpace ? delta.trimStart() : delta;
    if (!text) return;
    skipSpace = false;
    onDelta(text);
  };
  return (delta) => {
    if (passing) return pass(delta);
    buffered += delta;
    const head = buffered.trimStart();
    // Not enough text yet to tell whether a thought block starts.
    if (head.length < OPEN.length && OPEN.startsWith(head)) return;
    if (!head.startsWith(OPEN)) {
      passing = true;
      return pass(buffered);
    }
    const end = buffered.indexOf(CLOSE);
    if (end < 0) return;
    passing = true;
    skipSpace = true;
    pass(buffered.slice(end + CLOSE.length));
  };
}
