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
 *
 * A batch from a named writer (`options.writer`) says where it starts in that writer's own
 * numbering instead: the same three cases hold against where the writer's earlier batches
 * ended (`.writers.json`), and what is new goes at the stream's end, so two clients appending
 * to one stream both land every record, once.
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
  const writer = start === undefined ? undefined : options.writer;
  const length = batchLength(data);
  return registry.locks.run(`${entry.path}#${stream.key}`, async () => {
    const next = await entry.backend.cursor(stream, info);
    // Where the batch's numbering says the stream ends: the stream's end, or this writer's.
    const known = writer === undefined ? next : ((await registry.writers.get(entry.path, writer, stream.key)) ?? start);
    if (start !== undefined && known !== undefined && start > known) {
      const whose = writer === undefined ? "the stream" : `writer ${writer}'s records`;
      throw new StreamGapError(`Gap in ${stream.key}: the batch starts at ${start} but ${whose} end at ${known}; resend from ${known}`, known);
    }
    const skip = start === undefined || known === undefined ? 0 : Math.max(0, Math.min(known - start, length));
    const count = length - skip;
    const writerNext = writer === undefined || start === undefined ? undefined : Math.max(known ?? start, start + length);
    if (count === 0) return { first: next, count: 0, skipped: skip, next, writerNext };
    // Written in parts of a few thousand records: each part's text stays small enough for the
    // young generation of the garbage collector, and part i+1 is encoded while part i is written.
    const parts: Batch[] = [];
    for (let at = 0; at < count; at += PART) {
      const n = Math.min(PART, count - at);
      const part: Batch = { stream, first: next + at, count: n, data: sliceData(data, skip + at, n), sealedMs: Date.now(), bytes: 0, info };
      parts.push(createdAt ? { ...part, createdAt: sliceRuns(createdAt, skip + at, n) } : part);
    }
    await entry.backend.write(stream, parts);
    // After the records: a crash in between makes a retry store them again, never lose them.
    if (writer !== undefined && writerNext !== undefined) await registry.writers.set(entry.path, writer, stream.key, writerNext);
    return { first: next, count, skipped: skip, next: next + count, writerNext };
  });
}
