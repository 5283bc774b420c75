/**
 * Streamed uploads: a ReadableStream goes to S3 part by part, never held whole in memory, with
 * the SHA-256 of the whole stream computed on the way (the file record's checksum) and each
 * part's own SHA-256 signed in its request (S3 rejects a part altered in transit).
 *
 * - A stream that fits in one part is sent as a single PUT (no multipart round trips).
 * - Parts are all `partSize` bytes but the last (R2 requires equal parts; S3 requires ≥ 5 MiB).
 *   With at most 10,000 parts, 8 MiB parts carry 80 GiB; pass `sizeHint` for larger streams.
 * - Up to `concurrency` parts are in flight; memory stays near (concurrency + 1) × partSize.
 * - On any failure (the stream errors, a part is refused, the signal aborts) the source is
 *   cancelled and the upload aborted, so no half object appears and the parts are freed. If the
 *   abort itself fails, the error says so: a lifecycle rule (AbortIncompleteMultipartUpload)
 *   then removes the parts.
 */
import { MlDashError, StorageError, ValidationError } from "../../../errors.ts";
import { sha256Hex, toHex } from "../../../files/sha256.ts";
import type { S3PutResult, S3Transport } from "./s3-request.ts";
import { safeCause } from "./secrets.ts";
import { xmlElements, xmlRoot, xmlText } from "./s3-xml.ts";
import { parseS3Error } from "./s3-errors.ts";

/** Options of a streamed upload. */
export interface PutStreamOptions {
  contentType?: string;
  /** Bytes per part (default 8 MiB, at least 5 MiB). */
  partSize?: number;
  /** The expected size: raises the part size when 10,000 parts of `partSize` would not hold it. */
  sizeHint?: number;
  /** Parts uploaded at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
}

const MiB = 1024 * 1024;
/** S3's smallest part (all but the last). */
export const MIN_PART_SIZE = 5 * MiB;
const DEFAULT_PART_SIZE = 8 * MiB;
const MAX_PARTS = 10_000;

/** Streams `stream` into `key` (see the file comment). */
export async function uploadStream(client: S3Transport, key: string, stream: ReadableStream<Uint8Array>, options: PutStreamOptions = {}): Promise<S3PutResult> {
  let partSize = options.partSize ?? DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw new ValidationError(`Invalid part size ${partSize}: S3 parts are at least 5 MiB (${MIN_PART_SIZE} bytes)`, { field: "partSize" });
  }
  if (options.sizeHint !== undefined && options.sizeHint > partSize * MAX_PARTS) partSize = Math.ceil(options.sizeHint / MAX_PARTS / MiB) * MiB;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const contentType = options.contentType ?? "application/octet-stream";
  const hash = client.sha256();
  const reader = stream.getReader();
  const signal = options.signal;

  let buffer = new Uint8Array(partSize);
  let filled = 0;
  let total = 0;
  /** A full first part, held until we know whether more follows. */
  let held: Uint8Array | undefined;
  let uploadId: string | undefined;
  const etags: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const startUpload = async (): Promise<string> => {
    const res = await client.send({ operation: "multipart upload (create)", method: "POST", key, query: { uploads: "" }, headers: { "content-type": contentType }, signal });
    const id = xmlText(await res.text(), "UploadId");
    if (!id) throw new StorageError(`S3 multipart upload to ${client.uri(key)} failed: the service answered no UploadId`, { code: "S3_BAD_ANSWER" });
    return id;
  };
  const sendPart = (part: Uint8Array): void => {
    const number = etags.length + 1;
    if (number > MAX_PARTS) throw new ValidationError(`The stream for ${client.uri(key)} exceeds ${MAX_PARTS} parts of ${partSize} bytes: pass a sizeHint (or a larger partSize)`, { field: "sizeHint" });
    etags.push("");
    const p = (async () => {
      const sha = await sha256Hex(part);
      const res = await client.send({ operation: `multipart upload (part ${number})`, method: "PUT", key, query: { partNumber: String(number), uploadId: uploadId as string }, body: part, payloadSha256: sha, signal });
      await res.body?.cancel();
      const etag = res.headers.get("etag");
      if (!etag) throw new StorageError(`S3 multipart upload to ${client.uri(key)} failed: part ${number} was answered without an ETag`, { code: "S3_BAD_ANSWER" });
      etags[number - 1] = etag;
    })().catch((e: unknown) => {
      failure ??= e;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const waitForRoom = async (): Promise<void> => {
    while (inFlight.size >= concurrency && failure === undefined) await Promise.race(inFlight);
  };

  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      total += value.length;
      let offset = 0;
      while (offset < value.length) {
        const n = Math.min(value.length - offset, partSize - filled);
        buffer.set(value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled < partSize) continue;
        // A full part: hold the first one until more bytes show that the stream needs several.
        if (held === undefined && uploadId === undefined) held = buffer;
        else {
          if (uploadId === undefined) {
            uploadId = await startUpload();
            sendPart(held as Uint8Array);
            held = undefined;
          }
          await waitForRoom();
          if (failure !== undefined) throw failure;
          sendPart(buffer);
        }
        buffer = new Uint8Array(partSize);
        filled = 0;
      }
      if (held !== undefined && filled > 0) {
        uploadId = await startUpload();
        sendPart(held);
        held = undefined;
      }
    }
    const sha256 = toHex(hash.digest());
    if (uploadId === undefined) {
      // Everything fits in one part: one PUT.
      const bytes = held ?? buffer.subarray(0, filled);
      const res = await client.send({ operation: "PUT", method: "PUT", key, headers: { "content-type": contentType }, body: bytes, signal });
      await res.body?.cancel();
      return { key, size: total, etag: (res.headers.get("etag") ?? "").replace(/"/g, ""), sha256 };
    }
    if (filled > 0) {
      await waitForRoom();
      sendPart(buffer.subarray(0, filled));
    }
    while (inFlight.size > 0) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    const etag = await complete(client, key, uploadId, etags, signal);
    return { key, size: total, etag, sha256 };
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    // Let the parts in flight settle so the abort is the last word on the upload.
    await Promise.allSettled([...inFlight]);
    throw await abandon(client, key, uploadId, error);
  } finally {
    reader.releaseLock();
  }
}

async function complete(client: S3Transport, key: string, uploadId: string, etags: string[], signal: AbortSignal | undefined): Promise<string> {
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join("") +
    `</CompleteMultipartUpload>`;
  const res = await client.send({
    operation: "multipart upload (complete)",
    method: "POST",
    key,
    query: { uploadId },
    headers: { "content-type": "application/xml" },
    body: new TextEncoder().encode(xml),
    // Completing twice is harmless (the second answers NoSuchUpload or the same object), so a lost answer may be retried.
    idempotent: true,
    signal,
  });
  const text = await res.text();
  // S3 may answer 200 and then report an error in the body of a long-running completion.
  if (xmlRoot(text) === "Error") {
    const e = parseS3Error(text);
    throw new StorageError(`S3 multipart upload (complete) ${client.uri(key)} failed: ${e?.code ?? "error"}${e?.message ? `: ${client.redact(e.message)}` : ""}`, {
      code: `S3_${e?.code ?? "COMPLETE_FAILED"}`,
    });
  }
  return (xmlText(text, "ETag") ?? xmlElements(text, "ETag")[0] ?? "").replace(/"/g, "").replace(/&quot;/g, "");
}

/** Aborts the upload (if one was started) and answers the error to throw. */
async function abandon(client: S3Transport, key: string, uploadId: string | undefined, error: unknown): Promise<unknown> {
  const reason = error instanceof Error ? error.message : String(error);
  if (uploadId === undefined) {
    if (error instanceof MlDashError || isAbort(error)) return error;
    return new StorageError(`S3 upload to ${client.uri(key)} failed: ${client.redact(reason)}`, { code: "S3_UPLOAD_FAILED", cause: safeCause(error, client.redact) });
  }
  try {
    const res = await client.send({ operation: "multipart upload (abort)", method: "DELETE", key, query: { uploadId } });
    await res.body?.cancel();
  } catch (abortError) {
    const why = abortError instanceof Error ? abortError.message : String(abortError);
    return new StorageError(
      `S3 multipart upload to ${client.uri(key)} failed (${client.redact(reason)}), and aborting it failed too (${why}): its parts stay in the bucket until a lifecycle rule (AbortIncompleteMultipartUpload) removes them`,
      { code: "S3_ABORT_FAILED", cause: error instanceof MlDashError ? error : safeCause(error, client.redact) },
    );
  }
  if (isAbort(error)) return error;
  return new StorageError(`S3 multipart upload to ${client.uri(key)} failed and was aborted: ${client.redact(reason)}`, {
    code: error instanceof MlDashError ? error.code : "S3_UPLOAD_FAILED",
    cause: error instanceof MlDashError ? error : safeCause(error, client.redact),
  });
}

function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "AbortError";
}
