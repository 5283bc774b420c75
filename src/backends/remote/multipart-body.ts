/**
 * The multipart body of a file upload, laid out as httpx (ML-Dash Python's client) lays it out:
 * text parts in order, then the `file` part with its file name and content type, each part
 * closed by CRLF, then the closing boundary. The content goes in as it is: bytes are joined,
 * a Blob stays a Blob (a browser sends it from disk), a stream is piped through (never held
 * whole). A stream whose SHA-256 is only known at its end gets its `checksum` part after the
 * file part (the ml-dash server accepts that).
 */
import { toHex } from "../../files/sha256.ts";

const encoder = new TextEncoder();

/** Escapes a quoted parameter as httpx and browsers do (`"` → %22, control characters → %XX, `\` → `\\`). */
function param(name: string, value: string): string {
  const v = value.replace(/["\\\u0000-\u001f]/g, (c) => (c === '"' ? "%22" : c === "\\" ? "\\\\" : "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")));
  return `${name}="${v}"`;
}

/** A random boundary of 32 hex digits, like httpx's. */
export function newBoundary(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return toHex(b);
}

/** The pieces around the content. */
export interface MultipartFrame {
  readonly boundary: string;
  readonly contentType: string;
  /** Text parts and the file part's headers. */
  readonly head: Uint8Array;
  /** CRLF after the content, and the closing boundary (with `trailing` parts before it). */
  tail(trailing?: readonly (readonly [string, string])[]): Uint8Array;
}

/** Frames `fields` and a file part named `file`. */
export function multipartFrame(fields: readonly (readonly [string, string])[], file: { readonly filename: string; readonly contentType: string }, boundary = newBoundary()): MultipartFrame {
  let head = "";
  for (const [k, v] of fields) head += `--${boundary}\r\nContent-Disposition: form-data; ${param("name", k)}\r\n\r\n${v}\r\n`;
  head += `--${boundary}\r\nContent-Disposition: form-data; ${param("name", "file")}; ${param("filename", file.filename)}\r\nContent-Type: ${file.contentType}\r\n\r\n`;
  return {
    boundary,
    contentType: `multipart/form-data; boundary=${boundary}`,
    head: encoder.encode(head),
    tail(trailing = []) {
      let t = "\r\n";
      for (const [k, v] of trailing) t += `--${boundary}\r\nContent-Disposition: form-data; ${param("name", k)}\r\n\r\n${v}\r\n`;
      return encoder.encode(t + `--${boundary}--\r\n`);
    },
  };
}

/** The whole body around bytes. */
export function bytesBody(frame: MultipartFrame, bytes: Uint8Array): Uint8Array {
  const tail = frame.tail();
  const out = new Uint8Array(frame.head.length + bytes.length + tail.length);
  out.set(frame.head, 0);
  out.set(bytes, frame.head.length);
  out.set(tail, frame.head.length + bytes.length);
  return out;
}

/** The body around a Blob, as a Blob (nothing is read until it is sent). */
export function blobBody(frame: MultipartFrame, blob: Blob): Blob {
  return new Blob([frame.head as Uint8Array<ArrayBuffer>, blob, frame.tail() as Uint8Array<ArrayBuffer>]);
}

/**
 * The body around a stream, streamed. `observe` sees every content chunk (for a hash or a
 * byte count, and may throw to stop the upload); `trailing` gives the parts to send after the
 * content, once it has ended.
 */
export function streamBody(
  frame: MultipartFrame,
  content: ReadableStream<Uint8Array>,
  observe?: (chunk: Uint8Array) => void,
  trailing?: () => readonly (readonly [string, string])[],
): ReadableStream<Uint8Array> {
  const reader = content.getReader();
  let started = false;
  let ended = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(frame.head);
          return;
        }
        if (ended) return;
        try {
          const { done, value } = await reader.read();
          if (done) {
            ended = true;
            controller.enqueue(frame.tail(trailing?.()));
            controller.close();
            return;
          }
          observe?.(value);
          controller.enqueue(value);
        } catch (err) {
          await reader.cancel(err).catch(() => undefined);
          controller.error(err);
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
