// Typed errors: every failure the user can see is one of these, turned into one
// line on stderr and a documented exit code by the single handler in cli.ts.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  connection: 4,
  /** Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  /** Optional second line: what to do about it. */
  readonly hint?: string;
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.failure, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flags, bad arguments, bad input data: nothing was written. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** The session (or key) does not exist. Exit 3. */
export class NotFoundError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.notFound, hint);
  }
}

/** Could not reach the store, or it refused our credentials. Exit 4. */
export class ConnectionError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.connection, hint);
  }
}

/** Redis answered with an error reply (WRONGTYPE, NOPERM, ...). */
export class RedisReplyError extends CliError {
  readonly reply: string;
  constructor(reply: string, exitCode: ExitCodeValue = ExitCode.failure) {
    super(reply, exitCode);
    this.reply = reply;
  }
  get isNoPerm(): boolean {
    return this.reply.startsWith("NOPERM");
  }
}

const READ_REASONS: Record<string, [string, string?]> = {
  ENOENT: ["no such file", "check the path (`-` reads stdin)"],
  ENOTDIR: ["a part of the path is not a folder", "check the path"],
  EISDIR: ["it is a folder", "name a file in it"],
  EACCES: ["permission denied", "check the file's permissions"],
  EPERM: ["permission denied", "check the file's permissions"],
  ENAMETOOLONG: ["the name is too long"],
};

/** `cannot read nope.txt: no such file`, from a failed read of an input file (exit 2). */
export function readFailure(path: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const [why, hint] = (code && READ_REASONS[code]) || [code ?? (err as Error)?.message ?? String(err)];
  return new UsageError(`cannot read ${path}: ${why}`, hint);
}

/** Any thrown value to an exit code: unknown errors are failures (1). */
export function exitCodeOf(err: unknown): ExitCodeValue {
  return err instanceof CliError ? err.exitCode : ExitCode.failure;
}
