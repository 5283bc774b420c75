/**
 * `serveNode(server)`: runs a fetch handler on Node's `http` module. A small bridge written
 * here rather than `@hono/node-server`: the server needs whole request bodies (batches are
 * bounded by the body limit anyway) and streamed answers, which is ~60 lines with no dependency.
 *
 * @example
 * ```ts
 * import { createServer } from "ml-dash/server";
 * import { serveNode } from "ml-dash/server/node";
 * const { url } = await serveNode(createServer({ storage }), { port: 3000 });
 * ```
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ClientGoneError } from "../../server/http-error.ts";

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

/**
 * The request body as a Web stream that reads from the socket only as fast as it is consumed
 * (a file upload goes to storage at disk speed, never piling up in memory). Ends in a
 * {@link ClientGoneError} when the client disconnects before the body ends.
 */
function bodyStream(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; detach(): void } {
  let stop = (): void => undefined;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const onData = (chunk: Buffer): void => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        };
        const onEnd = (): void => {
          stop();
          controller.close();
        };
        const onClose = (): void => {
          if (req.complete) return;
          stop();
          controller.error(new ClientGoneError());
        };
        const onError = (err: Error): void => {
          stop();
          controller.error(new ClientGoneError(`The request body could not be read: ${err.message}`));
        };
        stop = () => {
          req.off("data", onData);
          req.off("end", onEnd);
          req.off("close", onClose);
          req.off("error", onError);
        };
        req.on("data", onData);
        req.on("end", onEnd);
        req.on("close", onClose);
        req.on("error", onError);
      },
      pull() {
        req.resume();
      },
      cancel() {
        // The handler has what it needs: let the rest of the body drain so the client can read the answer.
        stop();
        req.resume();
      },
    },
    { highWaterMark: 16 },
  );
  return {
    stream,
    detach() {
      stop();
      req.resume();
    },
  };
}

async function toRequest(req: IncomingMessage, origin: string, onStream: (detach: () => void) => void): Promise<Request> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else headers.set(k, v);
  }
  const method = req.method ?? "GET";
  if (method !== "GET" && method !== "HEAD" && (headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/")) {
    // File uploads stream; everything else (batches, bounded by the body limit) is read whole, which is faster.
    req.pause();
    const { stream, detach } = bodyStream(req);
    onStream(detach);
    return new Request(origin + (req.url ?? "/"), { method, headers, body: stream, duplex: "half" } as RequestInit);
  }
  let body: Uint8Array | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const chunks: Uint8Array[] = [];
    for await (const chunk of req) chunks.push(chunk as Uint8Array);
    body = new Uint8Array(Buffer.concat(chunks));
  }
  return new Request(origin + (req.url ?? "/"), body === undefined ? { method, headers } : { method, headers, body: body as BodyInit });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    if (k !== "set-cookie") headers[k] = v;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await new Promise((r) => res.once("drain", r));
  }
  res.end();
}

/** Serves `handler` on Node's http module. */
export function serveNode(handler: FetchHandler, options: NodeServeOptions = {}): Promise<NodeServer> {
  const fetchFn = typeof handler === "function" ? handler : (r: Request): Promise<Response> => handler.fetch(r);
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createHttpServer((req, res) => {
    const origin = `http://${req.headers.host ?? hostname}`;
    let detach: (() => void) | undefined;
    toRequest(req, origin, (d) => (detach = d))
      .then(fetchFn)
      .then((response) => send(res, response))
      .then(() => {
        // An answer sent before the body was read (a refused upload): discard the rest.
        if (!req.complete) (detach ?? (() => req.resume()))();
      })
      .catch((err) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "Internal server error" }));
          if (!req.complete) detach?.();
        } else res.destroy(err as Error);
      });
  });
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
