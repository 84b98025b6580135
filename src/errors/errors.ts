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

/** Any thrown value to an exit code: unknown errors are failures (1). */
export function exitCodeOf(err: unknown): ExitCodeValue {
  return err instanceof CliError ? err.exitCode : ExitCode.failure;
}
