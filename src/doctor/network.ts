// Connection, part 3: name resolution, TCP and TLS, each on its own, so the
// failure names the layer that failed ("cannot resolve" vs "refused" vs "the
// certificate was rejected") instead of one "request failed". Nothing is sent
// over these sockets; they are closed as soon as the handshake is done.
import dns from "node:dns/promises";
import net from "node:net";
import tls from "node:tls";
import type { Endpoint } from "./url-shape.js";
import type { Findings } from "./checks.js";

/** Runs the layer checks; false when a later check could not succeed. */
export async function checkNetwork(f: Findings, e: Endpoint, timeoutMs: number): Promise<boolean> {
  if (!(await checkDns(f, e, timeoutMs))) return false;
  const socket = await checkTcp(f, e, timeoutMs);
  if (!socket) return false;
  if (!e.tls) {
    socket.destroy();
    return true;
  }
  return checkTls(f, e, socket, timeoutMs);
}

async function checkDns(f: Findings, e: Endpoint, timeoutMs: number): Promise<boolean> {
  // An IP address needs no lookup: no line, one fewer thing to read.
  if (net.isIP(e.hostname)) return true;
  const started = Date.now();
  try {
    const found = await withTimeout(dns.lookup(e.hostname, { all: true }), timeoutMs);
    if (found === "timeout") {
      f.add(
        "connection",
        "dns",
        "fail",
        `no DNS answer for ${e.hostname} within ${seconds(timeoutMs)}`,
        "check your network and DNS settings",
      );
      return false;
    }
    const addresses = found.map((a) => a.address);
    f.add(
      "connection",
      "dns",
      "pass",
      `${e.hostname} resolves to ${addresses.slice(0, 2).join(", ")}${addresses.length > 2 ? ", …" : ""} (${Date.now() - started} ms)`,
    );
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    const hint =
      code === "ENOTFOUND"
        ? "check the host name for typos: copy the endpoint from the Upstash console (the database may also have been deleted)"
        : "the DNS server did not answer: check your network, VPN or DNS settings";
    f.add("connection", "dns", "fail", `cannot resolve ${e.hostname} (${code})`, hint);
    return false;
  }
}

function checkTcp(f: Findings, e: Endpoint, timeoutMs: number): Promise<net.Socket | undefined> {
  const where = `${e.hostname.includes(":") ? `[${e.hostname}]` : e.hostname}:${e.port}`;
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: e.hostname, port: e.port });
    const fail = (message: string, hint: string) => {
      clearTimeout(timer);
      socket.destroy();
      f.add("connection", "connect", "fail", message, hint);
      resolve(undefined);
    };
    const timer = setTimeout(
      () =>
        fail(
          `no answer from ${where} within ${seconds(timeoutMs)}`,
          "a firewall or proxy drops the connection, or the host is wrong; Upstash needs outbound port 443 (REST) or 6379 (Redis)",
        ),
      timeoutMs,
    );
    socket.once("connect", () => {
      clearTimeout(timer);
      f.add("connection", "connect", "pass", `TCP connection to ${where} in ${Date.now() - started} ms`);
      resolve(socket);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ECONNREFUSED") {
        fail(
          `connection refused by ${where}`,
          "nothing listens there: check the port (REST 443, Redis 6379) or start the server (`upstash-memory dev` for a local endpoint)",
        );
      } else if (err.code === "EHOSTUNREACH" || err.code === "ENETUNREACH") {
        fail(`no route to ${where} (${err.code})`, "check your network connection and VPN");
      } else {
        fail(`cannot connect to ${where} (${err.code ?? err.message})`, "check the host, the port and your network");
      }
    });
  });
}

function checkTls(f: Findings, e: Endpoint, socket: net.Socket, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const secure = tls.connect({ socket, servername: net.isIP(e.hostname) ? undefined : e.hostname });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      secure.destroy();
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => {
      f.add(
        "connection",
        "tls",
        "fail",
        `no TLS handshake with ${e.hostname} within ${seconds(timeoutMs)}`,
        "a proxy may hold the connection: try another network",
      );
      done(false);
    }, timeoutMs);
    secure.once("secureConnect", () => {
      const cert = secure.getPeerCertificate();
      const until = cert?.valid_to
        ? `, certificate valid until ${new Date(cert.valid_to).toISOString().slice(0, 10)}`
        : "";
      f.add("connection", "tls", "pass", `TLS (${secure.getProtocol() ?? "?"})${until}`);
      done(true);
    });
    secure.once("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ?? "";
      if (
        /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL/.test(code) ||
        /wrong version number/i.test(err.message)
      ) {
        f.add(
          "connection",
          "tls",
          "fail",
          `${e.hostname}:${e.port} does not speak TLS`,
          e.transport === "rest"
            ? "use http:// for a local endpoint, https:// only for a TLS server"
            : "use redis:// for a server without TLS",
        );
      } else if (/CERT|SELF_SIGNED|UNABLE_TO/.test(code)) {
        f.add(
          "connection",
          "tls",
          "fail",
          `the TLS certificate of ${e.hostname} was rejected (${code})`,
          "a proxy or antivirus may intercept TLS: add its CA with NODE_EXTRA_CA_CERTS=/path/ca.pem; otherwise check the host name",
        );
      } else {
        f.add(
          "connection",
          "tls",
          "fail",
          `TLS handshake with ${e.hostname} failed (${code || err.message})`,
          "check the port and whether the server expects TLS",
        );
      }
      done(false);
    });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms))),
  ]).finally(() => clearTimeout(timer));
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
