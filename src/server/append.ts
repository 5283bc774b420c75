/**
 * Appending a batch to a stream, exactly once. A batch that says where it starts
 * (`startIndex` / `startSequence`, or the number ending its `Idempotency-Key`) is compared
 * with the stream's end under the stream's lock:
 *
 * - it starts at the end → stored;
 * - it starts before the end → the records already held are skipped (a retry whose answer was
 *   lost), the rest is stored;
 * - it starts after the end → 409 with `nextIndex`, so the client resends from there.
 *
 * A batch without a position (the Python client) is appended at the end, as ML-Dash does.
 */
import type { Batch, BatchData, StreamId, StreamInfo } from "../model/batch.ts";

/** Records per write of a large batch. */
const PART = 2048;
import { sliceData } from "../protocol/batch-ops.ts";
import type { Decoded } from "./batches.ts";
import { HttpError } from "./http-error.ts";
import type { ExperimentEntry, Registry } from "./registry.ts";

/** What an append did. */
export interface Appended {
  /** Number of the first record stored (the end of the stream when none was). */
  readonly first: number;
  /** Records stored. */
  readonly count: number;
  /** Records skipped because the stream already held them. */
  readonly skipped: number;
  /** The stream's end after the append. */
  readonly next: number;
}

/** The position a request claims: the body's, else the one ending its `Idempotency-Key`. */
export function claimedStart(bodyStart: number | undefined, idempotencyKey: string | undefined): number | undefined {
  if (bodyStart !== undefined) return bodyStart;
  const m = idempotencyKey ? /:(\d+)$/.exec(idempotencyKey) : null;
  return m ? Number(m[1]) : undefined;
}

/** Appends `decoded` (records of `kind`) to `stream` of `entry`, once. */
export function appendOnce(
  registry: Registry,
  entry: ExperimentEntry,
  stream: StreamId,
  decoded: Decoded<unknown>,
  data: BatchData,
  start: number | undefined,
  info: StreamInfo | undefined,
): Promise<Appended> {
  return registry.locks.run(`${entry.path}#${stream.key}`, async () => {
    const next = await entry.backend.cursor(stream, info);
    if (start !== undefined && start > next) {
      throw new HttpError(409, `Gap in ${stream.key}: the batch starts at ${start} but the stream ends at ${next}; resend from ${next}`, { nextIndex: next });
    }
    const skip = start === undefined ? 0 : Math.min(next - start, decoded.count);
    const count = decoded.count - skip;
    if (count === 0) return { first: next, count: 0, skipped: skip, next };
    // Written in parts of a few thousand records: each part's text stays small enough for the
    // young generation of the garbage collector, and part i+1 is encoded while part i is written.
    const parts: Batch[] = [];
    for (let at = 0; at < count; at += PART) {
      const n = Math.min(PART, count - at);
      parts.push({ stream, first: next + at, count: n, data: sliceData(data, skip + at, n), sealedMs: Date.now(), bytes: 0, info });
    }
    await entry.backend.write(stream, parts);
    return { first: next, count, skipped: skip, next: next + count };
  });
}
