/**
 * The one bridge between Node's `http` module and fetch handlers: a Node request becomes a Web
 * `Request` (multipart uploads stream, other bodies are read whole), and a `Response` is written
 * back with backpressure. `serveNode` and `serveDashboard` both listen through it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ClientGoneError } from "../../server/http-error.ts";

/** Called when handling a request failed; `detach` lets go of a request body still being read. */
export type BridgeFailure = (error: unknown, res: ServerResponse, detach: () => void) => void;

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

/** The Web request of a Node request (`onStream` gets a way to let go of a streamed body). */
export async function toRequest(req: IncomingMessage, origin: string, onStream: (detach: () => void) => void): Promise<Request> {
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

/** Writes `response` to `res`, streaming its body with backpressure. */
export async function send(res: ServerResponse, response: Response): Promise<void> {
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

/**
 * A Node request listener that answers with `fetchFn`. `fallbackHost` builds the URL when a
 * request has no `Host` header; `fail` answers when handling throws.
 */
export function fetchListener(fetchFn: (request: Request) => Promise<Response>, fallbackHost: string, fail: BridgeFailure): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const origin = `http://${req.headers.host ?? fallbackHost}`;
    let detach: (() => void) | undefined;
    toRequest(req, origin, (d) => (detach = d))
      .then(fetchFn)
      .then((response) => send(res, response))
      .then(() => {
        // An answer sent before the body was read (a refused upload): discard the rest.
        if (!req.complete) (detach ?? (() => req.resume()))();
      })
      .catch((err: unknown) =>
        fail(err, res, () => {
          if (!req.complete) detach?.();
        }),
      );
  };
}
