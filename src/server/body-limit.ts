/**
 * The request body limit, checked before a byte of the body is read: a declared
 * `Content-Length` over the limit is refused at once (413); a chunked body is counted as the
 * handler reads it and fails with a 413 the moment it passes the limit, so nothing beyond the
 * limit is ever held. (hono's `bodyLimit` buffers chunked bodies and rebuilds the request from
 * the adapter's, which `@hono/node-server`'s light requests do not allow.)
 */
import type { Context, MiddlewareHandler } from "hono";
import { HttpError } from "./http-error.ts";

/** The 413 of a body over `maxBytes`. */
export function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `Request body too large (limit ${maxBytes} bytes): send smaller batches`);
}

/** A body counted as it is read: errors with {@link tooLarge} past `maxBytes`. */
export function countedBody(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(tooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
}

/** Middleware: the body limit (see the module's comment). `skip` exempts requests (streamed uploads). */
export function limitBody(maxBytes: number, skip: (c: Context) => boolean = () => false): MiddlewareHandler {
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body || skip(c)) return next();
    const declared = raw.headers.get("content-length");
    if (declared !== null && !raw.headers.has("transfer-encoding")) {
      if (!/^\s*\d+\s*$/.test(declared)) throw new HttpError(400, "Invalid Content-Length header: expected a byte count");
      if (Number(declared) > maxBytes) throw tooLarge(maxBytes);
      return next();
    }
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: countedBody(raw.body, maxBytes), duplex: "half" } as RequestInit);
    return next();
  };
}
