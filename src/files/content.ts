/**
 * Content in, bytes out: what the save methods accept, turned into {@link FileContent}; and
 * the write of that content into a store with its size and SHA-256 computed on the way, a
 * stream chunk by chunk (never whole in memory) when the adapter can stream.
 */
import { storageError, ValidationError } from "../errors.ts";
import { asBytes, collectBounded, tooLarge } from "./bounded-stream.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import { incrementalSha256, sha256Hex, toHex, type Sha256 } from "./sha256.ts";
import type { FileContent } from "./types.ts";

/** What `save` takes as content. */
export type FileData = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | string;

/** Blobs up to this size are read whole (one digest call); larger ones are streamed. */
const BLOB_BUFFER_LIMIT = 8 * 1024 * 1024;

const encoder = new TextEncoder();


/** True for a Web `ReadableStream` (from any realm). */
export function isReadableStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof x === "object" && x !== null && typeof (x as ReadableStream).getReader === "function" && typeof (x as ReadableStream).pipeTo === "function";
}

/** True for a `Blob` or `File` (from any realm). */
export function isBlob(x: unknown): x is Blob {
  return (typeof Blob !== "undefined" && x instanceof Blob) || (typeof x === "object" && x !== null && typeof (x as Blob).arrayBuffer === "function" && typeof (x as Blob).stream === "function" && typeof (x as Blob).size === "number");
}

/** Turns save input into content, or throws a {@link ValidationError} naming what it got. */
export async function toContent(data: unknown, field = "data"): Promise<FileContent> {
  if (typeof data === "string") return { kind: "bytes", bytes: encoder.encode(data) };
  if (data instanceof Uint8Array) return { kind: "bytes", bytes: data };
  if (ArrayBuffer.isView(data)) return { kind: "bytes", bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer)) {
    return { kind: "bytes", bytes: new Uint8Array(data) };
  }
  if (isBlob(data)) {
    if (data.size <= BLOB_BUFFER_LIMIT) return { kind: "bytes", bytes: new Uint8Array(await data.arrayBuffer()) };
    return { kind: "stream", stream: data.stream() as ReadableStream<Uint8Array>, size: data.size, blob: data, reopen: async () => data.stream() as ReadableStream<Uint8Array> };
  }
  if (isReadableStream(data)) return { kind: "stream", stream: data };
  const got = data === null ? "null" : Array.isArray(data) ? "an array" : typeof data;
  throw new ValidationError(
    `Invalid file ${field}: expected a Blob, ArrayBuffer, typed array, ReadableStream<Uint8Array> or string, got ${got} (use saveJson for objects)`,
    { field },
  );
}

/** Limits and helpers for one write. */
export interface WriteOptions {
  readonly maxBytes: number;
  /** The runtime's incremental SHA-256 for streams (else the portable one, loaded when a stream needs it). */
  readonly sha256: (() => Sha256) | undefined;
}

/** Writes content to `key`; resolves to its size and SHA-256 hex once the bytes are stored. */
export async function writeContent(storage: StorageAdapter, key: string, content: FileContent, options: WriteOptions): Promise<{ size: number; checksum: string }> {
  if (content.kind === "bytes") {
    const { bytes } = content;
    if (bytes.length > options.maxBytes) throw tooLarge(bytes.length, options.maxBytes);
    try {
      const [checksum] = await Promise.all([sha256Hex(bytes), storage.write(key, bytes)]);
      return { size: bytes.length, checksum };
    } catch (err) {
      throw storageError("write", key, err);
    }
  }
  if (content.size !== undefined && content.size > options.maxBytes) {
    await content.stream.cancel().catch(() => undefined);
    throw tooLarge(content.size, options.maxBytes);
  }
  return storage.writeStream ? streamInto(storage, key, content.stream, options) : bufferInto(storage, key, content.stream, options);
}

async function streamInto(storage: StorageAdapter, key: string, stream: ReadableStream<Uint8Array>, options: WriteOptions): Promise<{ size: number; checksum: string }> {
  const hash = await incrementalSha256(options.sha256);
  const reader = stream.getReader();
  let sink: WritableStreamDefaultWriter<Uint8Array>;
  try {
    sink = (await (storage.writeStream as NonNullable<StorageAdapter["writeStream"]>)(key)).getWriter();
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    throw storageError("write", key, err);
  }
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = asBytes(value);
      size += chunk.length;
      if (size > options.maxBytes) throw tooLarge(size, options.maxBytes);
      // Hash while the adapter writes: the chunk is ours and nobody changes it meanwhile.
      const written = sink.write(chunk);
      hash.update(chunk);
      await written;
    }
    await sink.close();
  } catch (err) {
    await sink.abort(err).catch(() => undefined);
    await reader.cancel(err).catch(() => undefined);
    throw err instanceof ValidationError ? err : storageError("write", key, err);
  }
  return { size, checksum: toHex(hash.digest()) };
}

/** For adapters without write streams: the content is gathered (up to the size limit) and written once. */
async function bufferInto(storage: StorageAdapter, key: string, stream: ReadableStream<Uint8Array>, options: WriteOptions): Promise<{ size: number; checksum: string }> {
  return writeContent(storage, key, { kind: "bytes", bytes: await collectBounded(stream, options.maxBytes) }, options);
}

