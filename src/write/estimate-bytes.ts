/**
 * What a queued record costs the byte-bounded buffer (`maxQueueBytes`), estimated cheaply at
 * the call: the buffer drops the oldest records by this count, so every domain estimates alike.
 */
import { ValidationError } from "../errors.ts";
import type { PlainValue } from "../model/values.ts";

/** A cheap estimate of the memory a normalised value holds. */
export function estimateBytes(v: PlainValue): number {
  if (typeof v === "number" || typeof v === "boolean" || v === null) return 8;
  if (typeof v === "string") return 16 + v.length * 2;
  if (typeof v === "bigint") return 32;
  let n = 32;
  if (Array.isArray(v)) for (const x of v) n += estimateBytes(x);
  else for (const k in v) n += 16 + k.length * 2 + estimateBytes(v[k] as PlainValue);
  return n;
}

/**
 * A record bigger than the whole buffer could never be kept within `maxQueueBytes` (with
 * `onFull: "drop"` it was dropped at once, with advice about yielding that could not help): it
 * is refused at the call, before anything is queued, with a {@link ValidationError} of code
 * `RECORD_TOO_LARGE` naming the stream.
 */
export function checkRecordSize(stream: string, bytes: number, maxQueueBytes: number): void {
  if (bytes <= maxQueueBytes) return;
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  throw new ValidationError(
    `One record of ${stream} takes about ${mib(bytes)} in memory, more than buffer.maxQueueBytes (${mib(maxQueueBytes)}): ` +
      "a single record must fit in the buffer, so it was not logged. Store large data as a file (exp.files), or raise buffer.maxQueueBytes",
    { field: "data", code: "RECORD_TOO_LARGE" },
  );
}
