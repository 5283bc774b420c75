/**
 * Appending a batch to a stream of a `.dash` run, exactly once. A batch that says where it
 * starts is compared with the stream's end under the stream's lock:
 *
 * - it starts at the end → stored;
 * - it starts before the end → the records already held are skipped (a retry whose answer was
 *   lost), the rest is stored;
 * - it starts after the end → {@link StreamGapError} with `nextIndex`, so the client resends from there.
 *
 * A batch without a position (the Python client) is appended at the end, as ML-Dash does.
 */
import { StreamGapError } from "../../../errors.ts";
import type { Batch, BatchData, StreamId } from "../../../model/batch.ts";
import { sliceData } from "../../../protocol/batch-ops.ts";
import { sliceRuns } from "../../../model/created-at.ts";
import { batchLength, type AppendOptions, type Appended } from "../../store/streams.ts";
import type { ExperimentEntry, Registry } from "./registry.ts";

/** Records per write of a large batch. */
const PART = 2048;

/** Appends `data` to `stream` of `entry`, once. */
export function appendOnce(registry: Registry, entry: ExperimentEntry, stream: StreamId, data: BatchData, options: AppendOptions = {}): Promise<Appended> {
  const { start, info, createdAt } = options;
  const length = batchLength(data);
  return registry.locks.run(`${entry.path}#${stream.key}`, async () => {
    const next = await entry.backend.cursor(stream, info);
    if (start !== undefined && start > next) {
      throw new StreamGapError(`Gap in ${stream.key}: the batch starts at ${start} but the stream ends at ${next}; resend from ${next}`, next);
    }
    const skip = start === undefined ? 0 : Math.min(next - start, length);
    const count = length - skip;
    if (count === 0) return { first: next, count: 0, skipped: skip, next };
    // Written in parts of a few thousand records: each part's text stays small enough for the
    // young generation of the garbage collector, and part i+1 is encoded while part i is written.
    const parts: Batch[] = [];
    for (let at = 0; at < count; at += PART) {
      const n = Math.min(PART, count - at);
      const part: Batch = { stream, first: next + at, count: n, data: sliceData(data, skip + at, n), sealedMs: Date.now(), bytes: 0, info };
      parts.push(createdAt ? { ...part, createdAt: sliceRuns(createdAt, skip + at, n) } : part);
    }
    await entry.backend.write(stream, parts);
    return { first: next, count, skipped: skip, next: next + count };
  });
}
