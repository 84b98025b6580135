// Where results go: stdout for data (JSON, NDJSON, tables or tab-separated
// lines), stderr for progress and warnings. Tables and colours on a TTY only.
import type { IO, OutStream } from "../terminal/io.js";
import { useColor, writeLine, writeText } from "../terminal/io.js";
import { escapeJsonText, safeJson, tsvField } from "../text/sanitize.js";

export type Style = (text: string) => string;

export interface Styles {
  dim: Style;
  bold: Style;
  role: (role: string) => Style;
  ok: Style;
  warn: Style;
  fail: Style;
}

const plain: Style = (t) => t;

/** Characters per write of a batch: large enough that the write calls cost nothing. */
const WRITE_CHUNK = 1 << 22;

export class Output {
  readonly tty: boolean;
  readonly color: boolean;
  readonly columns: number;
  private stylesCache?: Styles;
  /** Where data goes: stdout, or the pager while `paged` runs. */
  private sink: OutStream;
  /** Warnings held while a pager may own the screen. */
  private held: string[] | null = null;

  constructor(
    readonly io: IO,
    colorFlag?: boolean,
    /** false with --no-pager. */
    private readonly pagerFlag?: boolean,
  ) {
    this.tty = Boolean(io.stdout.isTTY);
    this.color = useColor(io.stdout, io.env, colorFlag);
    this.columns = io.stdout.columns && io.stdout.columns > 20 ? io.stdout.columns : 100;
    this.sink = io.stdout;
  }

  get out(): OutStream {
    return this.sink;
  }

  /**
   * Runs `body` with its output going through the pager when it is longer
   * than the screen (terminal only; see pager.ts). Warnings are printed after.
   */
  async paged<T>(body: () => Promise<T>): Promise<T> {
    if (!this.tty) return body();
    const { pagerCommand, PagedStdout } = await import("../terminal/pager.js");
    const command = pagerCommand(this.io.env, this.pagerFlag);
    if (!command) return body();
    const { textWidth } = await import("../text/text-width.js");
    const tw = await textWidth();
    const pager = new PagedStdout(this.io, command, (line) => Math.max(1, Math.ceil(tw.width(line) / this.columns)));
    this.sink = pager;
    this.held = [];
    try {
      return await body();
    } finally {
      await pager.finish();
      this.sink = this.io.stdout;
      const held = this.held;
      this.held = null;
      for (const w of held) this.io.stderr.write(w);
    }
  }

  line(text = ""): Promise<void> | void {
    return writeLine(this.sink, text);
  }

  /** Many lines in few writes: a terminal write per line is slow at 20,000 rows. */
  async lines(lines: string[]): Promise<void> {
    const CHUNK = 512;
    for (let i = 0; i < lines.length; i += CHUNK) {
      await writeLine(this.sink, lines.slice(i, i + CHUNK).join("\n"));
    }
  }

  json(value: unknown): Promise<void> | void {
    return writeLine(this.sink, safeJson(value, 2));
  }

  /**
   * A JSON array written element by element, byte for byte as
   * JSON.stringify(array, null, 2) prints it, so a long list never sits in memory.
   */
  async jsonArray<T>(items: AsyncIterable<T>, toJson: (item: T) => unknown = (item) => item): Promise<void> {
    let open = false;
    for await (const item of items) {
      await writeText(this.sink, `${open ? "," : "["}\n  ${safeJson(toJson(item), 2).replace(/\n/g, "\n  ")}`);
      open = true;
    }
    await writeLine(this.sink, open ? "\n]" : "[]");
  }

  /**
   * Pages of items as one JSON array, byte for byte as
   * JSON.stringify(all, null, 2) prints it, one write per page: a page
   * stringified whole is the same text as its elements one by one (an
   * element indented by two inside the brackets), at a fraction of the cost.
   */
  async jsonArrayPages<T>(pages: AsyncIterable<readonly T[]>, toJson: (item: T) => unknown): Promise<void> {
    let open = false;
    for await (const page of pages) {
      if (!page.length) continue;
      const text = safeJson(page.map(toJson), 2);
      // "[\n  {…},\n  {…}\n]" → "\n  {…},\n  {…}"
      await this.write(`${open ? "," : "["}${text.slice(1, -2)}`);
      open = true;
    }
    await writeLine(this.sink, open ? "\n]" : "[]");
  }

  /** Items as NDJSON lines in one write. */
  ndjsonLines<T>(items: readonly T[], toJson: (item: T) => unknown): Promise<void> | void {
    if (!items.length) return;
    let text = "";
    for (const item of items) text += `${JSON.stringify(toJson(item))}\n`;
    return this.write(escapeJsonText(text));
  }

  /** Rows of tab-separated fields in one write. */
  tsvLines(rows: readonly (string | number | null)[][]): Promise<void> | void {
    if (!rows.length) return;
    let text = "";
    for (const fields of rows) text += `${fields.map((f) => tsvField(f === null ? "" : String(f))).join("\t")}\n`;
    return this.write(text);
  }

  /** Text as it is, in writes of at most a few megabytes, waiting while the reader is behind. */
  async write(text: string): Promise<void> {
    for (let at = 0; at < text.length; at += WRITE_CHUNK) {
      await writeText(this.sink, at === 0 && text.length <= WRITE_CHUNK ? text : text.slice(at, at + WRITE_CHUNK));
    }
  }

  ndjson(value: unknown): Promise<void> | void {
    return writeLine(this.sink, safeJson(value));
  }

  tsv(fields: (string | number | null)[]): Promise<void> | void {
    return writeLine(this.sink, fields.map((f) => tsvField(f === null ? "" : String(f))).join("\t"));
  }

  warn(text: string): void {
    if (this.held) this.held.push(`${text}\n`);
    else this.io.stderr.write(`${text}\n`);
  }

  /** Chalk is only loaded when colours are on. */
  async styles(): Promise<Styles> {
    if (this.stylesCache) return this.stylesCache;
    if (!this.color) {
      this.stylesCache = { dim: plain, bold: plain, role: () => plain, ok: plain, warn: plain, fail: plain };
      return this.stylesCache;
    }
    const { Chalk } = await import("chalk");
    const c = new Chalk({ level: 1 });
    const roles: Record<string, Style> = {
      user: c.cyan,
      assistant: c.green,
      system: c.magenta,
      tool: c.yellow,
      unrecognized: c.red,
    };
    this.stylesCache = {
      dim: c.dim,
      bold: c.bold,
      role: (r) => roles[r] ?? c.blue,
      ok: c.green,
      warn: c.yellow,
      fail: c.red,
    };
    return this.stylesCache;
  }
}
