// Progress on stderr, on a TTY only, and only once work has taken a moment,
// so quick commands and piped runs never see it.
import { isDumb, type IO } from "../terminal/io.js";

export interface Progress {
  update(text: string): void;
  done(): void;
}

const SILENT: Progress = { update() {}, done() {} };

export function progress(io: IO, delayMs = 300): Progress {
  // It redraws its line with escape sequences: not on a dumb terminal.
  if (!io.stderr.isTTY || isDumb(io.env)) return SILENT;
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
