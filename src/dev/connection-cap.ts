// A bounded number of client connections, so idle ones cannot use up the
// process's file descriptors (a few hundred sockets that send half a request
// and wait would otherwise make every new connection fail). Past the cap, a new
// connection closes the oldest one that is not being served: idle keep-alive
// connections and ones still sending their request headers go first; a
// request being answered (an SSE stream too) is never cut. When every
// connection is being served, the newcomer is the one closed.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export const MAX_CONNECTIONS = 500;

export class ConnectionCap {
  /** Open sockets, oldest first (a Set keeps insertion order). */
  private readonly sockets = new Set<Socket>();
  private readonly serving = new Set<Socket>();

  constructor(private readonly max: number) {}

  admit(socket: Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => {
      this.sockets.delete(socket);
      this.serving.delete(socket);
    });
    if (this.sockets.size > this.max) this.evictFor(socket);
  }

  /** The socket of this request is being served until its response closes. */
  serve(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    this.serving.add(socket);
    res.once("close", () => this.serving.delete(socket));
  }

  private evictFor(newcomer: Socket): void {
    for (const socket of this.sockets) {
      if (socket !== newcomer && !this.serving.has(socket)) {
        socket.destroy();
        return;
      }
    }
    newcomer.destroy();
  }
}
