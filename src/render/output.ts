// Where results go: stdout for data (JSON, NDJSON, tables or tab-separated
// lines), stderr for progress and warnings. Tables and colours on a TTY only.
import type { IO, OutStream } from "../io.js";
import { useColor, writeLine, writeText } from "../io.js";
import { safeJson, tsvField } from "./sanitize.js";

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

export class Output {
  readonly tty: boolean;
  readonly color: boolean;
  readonly columns: number;
  private stylesCache?: Styles;

  constructor(
    readonly io: IO,
    colorFlag?: boolean,
  ) {
    this.tty = Boolean(io.stdout.isTTY);
    this.color = useColor(io.stdout, io.env, colorFlag);
    this.columns = io.stdout.columns && io.stdout.columns > 20 ? io.stdout.columns : 100;
  }

  get out(): OutStream {
    return this.io.stdout;
  }

  line(text = ""): Promise<void> | void {
    return writeLine(this.io.stdout, text);
  }

  json(value: unknown): Promise<void> | void {
    return writeLine(this.io.stdout, safeJson(value, 2));
  }

  /**
   * A JSON array written element by element, byte for byte as
   * JSON.stringify(array, null, 2) prints it, so a long list never sits in memory.
   */
  async jsonArray<T>(items: AsyncIterable<T>, toJson: (item: T) => unknown = (item) => item): Promise<void> {
    let open = false;
    for await (const item of items) {
      await writeText(this.io.stdout, `${open ? "," : "["}\n  ${safeJson(toJson(item), 2).replace(/\n/g, "\n  ")}`);
      open = true;
    }
    await writeLine(this.io.stdout, open ? "\n]" : "[]");
  }

  ndjson(value: unknown): Promise<void> | void {
    return writeLine(this.io.stdout, safeJson(value));
  }

  tsv(fields: (string | number | null)[]): Promise<void> | void {
    return writeLine(this.io.stdout, fields.map((f) => tsvField(f === null ? "" : String(f))).join("\t"));
  }

  warn(text: string): void {
    this.io.stderr.write(text + "\n");
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
    const roles: Record<string, Style> = { user: c.cyan, assistant: c.green, system: c.magenta, tool: c.yellow, unrecognized: c.red };
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
