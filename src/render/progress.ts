// Progress on stderr, on a TTY only, and only once work has taken a moment,
// so quick commands and piped runs never see it.
import type { IO } from "../io.js";

export interface Progress {
  update(text: string): void;
  done(): void;
}

const SILENT: Progress = { update() {}, done() {} };

export function progress(io: IO, delayMs = 300): Progress {
  if (!io.stderr.isTTY) return SILENT;
  const started = Date.now();
  let shown = false;
  let lastDraw = 0;
  return {
    update(text) {
      const now = Date.now();
      if (now - started < delayMs || now - lastDraw < 100) return;
      lastDraw = now;
      shown = true;
      io.stderr.write(`\r\x1b[2K${text}`);
    },
    done() {
      if (shown) io.stderr.write("\r\x1b[2K");
    },
  };
}
