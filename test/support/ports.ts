/** Loopback sockets for tests of what a client does when a server is missing or mute. */
import { createServer, type Server, type Socket } from "node:net";

/**
 * A port on 127.0.0.1 that was free a moment ago: nothing listens there, so a connection is
 * refused (a server started on it retries if another process takes it first).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A server that accepts connections and never answers (a hung peer); `close` drops them. */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const s: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return {
    port: (s.address() as { port: number }).port,
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => s.close(r));
    },
  };
}
