// The Upstash REST routes, from an HTTP request to Redis argument lists.
// Commands run for POST, and for GET on path-style URLs; any other method
// (HEAD and PUT included) is answered 405 and runs nothing, so a request that
// only means to look, or one a proxy may repeat freely, never writes.
//   POST /             ["SET","k","v"]            one command as a JSON array
//                      (query parameters other than _token are ignored here)
//   GET|POST /set/k/v  path segments are the arguments (URL-decoded); a POST
//                      body is appended as the last argument, then every query
//                      parameter except _token as NAME VALUE
//   POST /pipeline     [["SET","k","v"],["GET","k"]]  run in order, each on its own
//   POST /multi-exec   same body, run as one MULTI/EXEC transaction

/** One Redis argument: text from JSON or the URL, or the raw bytes of a request body. */
export type Arg = string | Buffer;
/** A command with its arguments; argv[0] is the command name. */
export type Argv = Arg[];

export type Route =
  | { kind: "command"; argv: Argv; viaPath: boolean }
  | { kind: "pipeline" | "multi-exec"; commands: Argv[] };

/** A request the endpoint answers with `status` and `{"error": message}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const ALLOWED_METHODS = ["GET", "POST"] as const;

const EXAMPLE = 'such as ["SET","key","value"]';

/** Split a request target into path and query without treating `//x` as a host. */
export function splitTarget(target: string): { pathname: string; query: URLSearchParams } {
  const q = target.indexOf("?");
  return q < 0
    ? { pathname: target, query: new URLSearchParams() }
    : { pathname: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}

export function parseRoute(
  method: string,
  pathname: string,
  query: URLSearchParams,
  body: Buffer,
  maxCommands = Number.POSITIVE_INFINITY,
): Route {
  const hasBody = method === "POST";
  if (pathname === "/" || pathname === "") {
    if (!hasBody) {
      throw new HttpError(400, `ERR no command: POST a JSON array ${EXAMPLE}, or call a path such as /get/key`);
    }
    return { kind: "command", argv: toArgv(parseJson(body), "the command"), viaPath: false };
  }
  if (pathname === "/pipeline" || pathname === "/multi-exec") {
    if (!hasBody) throw new HttpError(404, `ERR unknown route: ${method} ${pathname} (send a POST)`);
    return {
      kind: pathname === "/pipeline" ? "pipeline" : "multi-exec",
      commands: toCommands(parseJson(body), maxCommands),
    };
  }
  return { kind: "command", argv: pathArgv(pathname, query, hasBody ? body : undefined), viaPath: true };
}

function pathArgv(pathname: string, query: URLSearchParams, body: Buffer | undefined): Argv {
  const segments = pathname.split("/").slice(1);
  // `/get/key/` means the same as `/get/key`.
  if (segments.length > 1 && segments.at(-1) === "") segments.pop();
  const argv: Argv = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new HttpError(400, `ERR malformed percent-encoding in path segment '${s}'`);
    }
  });
  if (body && body.length > 0) argv.push(body);
  for (const [name, value] of query) {
    if (name === "_token") continue;
    // A bare flag (`?NX`) is one argument; `?EX=100` is two.
    argv.push(name);
    if (value !== "") argv.push(value);
  }
  return argv;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new HttpError(400, `ERR empty request body: send a JSON array ${EXAMPLE}`);
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new HttpError(400, `ERR malformed JSON body: ${(err as Error).message}`);
  }
}

function toCommands(value: unknown, max: number): Argv[] {
  if (!Array.isArray(value)) {
    throw new HttpError(
      400,
      `ERR request body must be a JSON array of commands, such as [["SET","k","v"],["GET","k"]]`,
    );
  }
  if (value.length === 0) throw new HttpError(400, "ERR no commands in the request body");
  if (value.length > max) {
    throw new HttpError(
      400,
      `ERR too many commands in one request: ${value.length}, at most ${max} (the limit of dev --max-commands); send them in smaller batches`,
    );
  }
  return value.map((cmd, i) => toArgv(cmd, `command ${i + 1}`));
}

function toArgv(value: unknown, what: string): Argv {
  if (!Array.isArray(value)) {
    throw new HttpError(400, `ERR ${what} must be a JSON array of arguments, ${EXAMPLE}`);
  }
  if (value.length === 0) throw new HttpError(400, `ERR ${what} is an empty array`);
  return value.map((arg, i) => {
    if (typeof arg === "string") return arg;
    // @upstash/redis sends numbers and booleans as JSON values; Redis wants their text.
    if ((typeof arg === "number" && Number.isFinite(arg)) || typeof arg === "boolean") return String(arg);
    const kind =
      arg === null
        ? "null"
        : Array.isArray(arg)
          ? "an array"
          : typeof arg === "object"
            ? "an object"
            : `a ${typeof arg}`;
    throw new HttpError(400, `ERR ${what}: argument ${i + 1} is ${kind}; expected a string, number or boolean`);
  });
}

export function argText(arg: Arg | undefined): string {
  if (arg === undefined) return "";
  return typeof arg === "string" ? arg : arg.toString("utf8");
}
