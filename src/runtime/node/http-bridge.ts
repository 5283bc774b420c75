/**
 * The one bridge between Node's `http` module and fetch handlers, on `@hono/node-server` (the
 * maintained adapter: request bodies stream from the socket only as fast as the handler reads
 * them — nothing is read before the auth and size checks ran — unread bodies are drained or the
 * connection closed, and answers are written with backpressure). `serveNode` and
 * `serveDashboard` both listen through it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";

/** Called when handling a request failed; answers with a generic error (never the error's text). */
export type BridgeFailure = (error: unknown) => void;

/**
 * A Node request listener that answers with `fetchFn`. `fallbackHost` builds the URL when a
 * request has no `Host` header; `fail` is told when handling throws (the client gets a plain 500).
 */
export function fetchListener(fetchFn: (request: Request) => Promise<Response>, fallbackHost: string, fail: BridgeFailure): (req: IncomingMessage, res: ServerResponse) => void {
  const listener = getRequestListener((request) => fetchFn(request), {
    hostname: fallbackHost,
    // The SDK may run in the same process: keep the platform's Request and Response classes.
    overrideGlobalObjects: false,
    errorHandler: (err) => {
      fail(err);
      return new Response(JSON.stringify({ error: "Internal server error" }), { status: 500, headers: { "content-type": "application/json" } });
    },
  });
  return (req, res) => {
    void listener(req, res);
  };
}
