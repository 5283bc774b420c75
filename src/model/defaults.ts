/**
 * Every default of the data path, written once. Options and the README name these values;
 * code reads them from here.
 */

/** `buffer.maxQueueBytes`: bytes waiting in memory before backpressure applies. */
export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;

/** `buffer.flushIntervalMs`: a write cycle at least this often while data waits. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;

/** `buffer.maxBatch`: records per batch (also ML-Dash's chunk size). */
export const DEFAULT_MAX_BATCH = 10_000;

/** Hybrid mode: most bytes of batches waiting for upload kept in memory (the rest is re-read from the local store). */
export const DEFAULT_UPLOAD_MEMORY_BYTES = 16 * 1024 * 1024;

/** The server's largest request body (bytes); file uploads stream past it, bounded by the file limit. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** `files.maxBytes`: the largest file a save or an upload accepts (ML-Dash Python's limit). */
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 ** 3;

/** The hybrid upload's share of the buffer bound: a quarter of `maxQueueBytes`, at most {@link DEFAULT_UPLOAD_MEMORY_BYTES}. */
export function uploadMemoryBytes(maxQueueBytes: number | undefined): number {
  return Math.min(DEFAULT_UPLOAD_MEMORY_BYTES, (maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES) / 4);
}

/** `remote.timeoutMs`: time a request waits for the answer's headers, per attempt (ms). */
export const DEFAULT_REMOTE_TIMEOUT_MS = 30_000;

/** `remote.retries`: retries of one request after a transient failure. */
export const DEFAULT_RETRIES = 5;

/** `remote.backoffMs`: the first backoff delay of a request's retries (ms); it doubles each retry. */
export const DEFAULT_BACKOFF_MS = 500;

/** `remote.maxBackoffMs`: the cap of one backoff delay, and of a server's `Retry-After` (ms). */
export const DEFAULT_MAX_BACKOFF_MS = 30_000;
