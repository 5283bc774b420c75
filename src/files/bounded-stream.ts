/**
 * Reading file content from a stream under the size limit (`files.maxBytes`): one place for the
 * limit's error, the chunk check and the early cancel, used by the local and the remote stores.
 */
import { ValidationError } from "../errors.ts";
import { concatBytes } from "../internal/bytes.ts";

const encoder = new TextEncoder();

/** The error of content over the size limit. */
export function tooLarge(size: number, max: number): ValidationError {
  return new ValidationError(`Invalid file data: ${size} bytes is over the maximum file size of ${max} bytes (files.maxBytes)`, { field: "data" });
}

/** A stream chunk as bytes; a stream of anything else is refused, naming what it gave. */
export function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof value === "string") return encoder.encode(value);
  throw new ValidationError(`Invalid file data: the stream gave ${typeof value} chunks; it must give Uint8Array chunks`, { field: "data" });
}

/**
 * Reads `stream` to its end, handing each chunk to `each`, and returns the total size. Past `max`
 * bytes the stream is cancelled and {@link tooLarge} thrown.
 */
export async function readBounded(stream: ReadableStream<Uint8Array>, max: number, each: (chunk: Uint8Array) => void): Promise<number> {
  const reader = stream.getReader();
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return size;
    const chunk = asBytes(value);
    size += chunk.length;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(size, max);
    }
    each(chunk);
  }
}

/** A whole stream gathered into one array (refused past `max` bytes). */
export async function collectBounded(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await readBounded(stream, max, (c) => chunks.push(c));
  return concatBytes(chunks);
}
