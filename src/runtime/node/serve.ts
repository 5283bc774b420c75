/**
 * `serveNode(server)`: runs a fetch handler on Node's `http` module, through `http-bridge.ts`
 * (`@hono/node-server`): bodies stream, so the server's auth and size checks run before any of
 * a request body is read.
 *
 * @example
 * ```ts
 * import { createServer } from "ml-dash/server";
 * import { serveNode } from "ml-dash/server/node";
 * const { url } = await serveNode(createServer({ storage }), { port: 3000 });
 * ```
 */
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fetchListener } from "./http-bridge.ts";

/** Anything with a fetch handler. */
export type FetchHandler = { fetch(request: Request): Promise<Response> } | ((request: Request) => Promise<Response>);

/** Options of {@link serveNode}. */
export interface NodeServeOptions {
  /** Port (0 = any free port). Default 3000. */
  readonly port?: number;
  /** Interface to listen on. Default `127.0.0.1` (loopback only). */
  readonly hostname?: string;
}

/** A listening server. */
export interface NodeServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops listening and closes idle connections. */
  close(): Promise<void>;
}

/** Serves `handler` on Node's http module. */
export function serveNode(handler: FetchHandler, options: NodeServeOptions = {}): Promise<NodeServer> {
  const fetchFn = typeof handler === "function" ? handler : (r: Request): Promise<Response> => handler.fetch(r);
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createHttpServer(
    fetchListener(fetchFn, hostname, (err) => console.error("[ml-dash server]", err)),
  );
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, hostname, () => {
      const { port } = server.address() as AddressInfo;
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      resolve({
        url: `http://${host}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
