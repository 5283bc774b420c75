/**
 * Appending a batch to a stream, exactly once on any number of nodes. One transaction:
 *
 * 1. the series row is locked (`SELECT … FOR UPDATE`; created first if new): appenders of one
 *    stream on every node take turns, so indices stay dense;
 * 2. a batch without a position but with an idempotency key that was accepted before (its
 *    answer was lost, the client retried, maybe on another node) is answered from
 *    `accepted_batches` and stores nothing;
 * 3. a positioned batch is compared with `next_index`: records already held are skipped, a
 *    start past the end is a {@link StreamGapError} carrying the end. A batch from a named
 *    writer is compared with where that writer's own numbering ends (`writer_positions`,
 *    advanced in the same transaction) instead, and what is new goes at `next_index`: two
 *    clients on one stream both land every record, once;
 * 4. the rest is encoded to `.dash` JSONL lines once (with the times an upload sends, else
 *    now), gzipped (a tenth of the bytes through the connection and into PostgreSQL), and
 *    inserted as pending rows cut at chunk boundaries, and `next_index` advances. A row that is
 *    exactly one chunk also carries what sealing it records (digest, summary:
 *    {@link chunkFacts}), computed from the lines in hand, so the seal reads none of its points.
 *
 * Nothing is acknowledged before the transaction commits. A batch that crosses a chunk
 * boundary then asks for a seal (store-seal.ts), which runs after the answer.
 */
import { StorageError, StreamGapError } from "../../../errors.ts";
import { encodeBatchBytes } from "../../../backends/local/encode-batch.ts";
import { nowIso } from "../../../internal/clock.ts";
import { pyJson } from "../../../layout/py-json.ts";
import type { BatchData, StreamId } from "../../../model/batch.ts";
import { blockRow } from "../../../model/metric-block.ts";
import { sliceData } from "../../../protocol/batch-ops.ts";
import { sliceRuns, type CreatedRuns } from "../../../model/created-at.ts";
import { batchLength, type AppendOptions, type Appended } from "../../store/streams.ts";
import type { ExperimentRef } from "../../store/records.ts";
import { chunkFacts, type ChunkFacts } from "./chunk-summary.ts";
import { insertChunkRow, scheduleSeal } from "./store-seal.ts";
import { directChunk, putWholeChunks, sealedEnd, type RowData } from "./store-direct.ts";
import { insertSeries, seriesName, type TeamState } from "./store-state.ts";

interface LockedSeries {
  id: string;
  next_index: string;
  chunk_size: number;
  fields: string[];
  first_ts: number | null;
  last_ts: number | null;
}

/** What a batch adds to its series' description. */
interface BatchFacts {
  fields: string[];
  lastData: string | null;
  minTs: number | null;
  maxTs: number | null;
}

/**
 * Encodes records numbered from `first` into pending rows, cut at chunk boundaries (`size`, the
 * series' chunk size): a client's request of 50,000 points from a boundary is five rows that are
 * each one chunk, sealed as they are. The facts are right for any row: the seal uses them only
 * for a row that is one chunk.
 */
async function pendingRows(state: TeamState, stream: StreamId, data: BatchData, first: number, created: CreatedRuns | undefined, size: number): Promise<RowData[]> {
  const createdAt = nowIso();
  const length = batchLength(data);
  const parts: Promise<RowData>[] = [];
  for (let off = 0; off < length; ) {
    const at = first + off;
    const count = Math.min(length - off, size - (at % size));
    const part = off === 0 && count === length ? data : sliceData(data, off, count);
    const lines = encodeBatchBytes({ data: part, first: at, createdAt, created: off === 0 && count === length ? created : sliceRuns(created, off, count) });
    const whole = count === size;
    parts.push(Promise.all([state.compression.gzip(lines), whole ? chunkFacts(stream.kind, lines, at, part, state.digest) : null]).then(([bytes, chunk]) => ({ first: at, count, bytes, chunk })));
    off += count;
  }
  return Promise.all(parts);
}

/** Appends `data` to `stream` of `ref`, once. */
export async function appendBatch(state: TeamState, ref: ExperimentRef, stream: StreamId, data: BatchData, options: AppendOptions = {}): Promise<Appended> {
  const { start, info } = options;
  const length = batchLength(data);
  const writer = options.writer ?? "";
  // A named writer's position is its own (see AppendOptions.writer).
  const own = start !== undefined && options.writer !== undefined ? options.writer : undefined;
  const key = start === undefined && options.idempotencyKey ? options.idempotencyKey : undefined;
  const created = (skip: number, n: number): CreatedRuns | undefined => (options.createdAt ? sliceRuns(options.createdAt, skip, n) : undefined);
  const name = seriesName(stream);
  let crossed: { id: string } | undefined;
  let stored: { seriesId: string; rows: RowData[] } | undefined;
  // Encoded (and gzipped) before the series is locked when the batch says where it starts: the
  // usual case (the SDK's batches land at the end) holds the lock only for the inserts.
  const early = start === undefined ? undefined : await pendingRows(state, stream, data, start, created(0, length), state.chunkSize);
  // Whole chunks at the sealed end go straight to S3 (store-direct.ts).
  const direct = early === undefined || start === undefined ? undefined : await putWholeChunks(state, ref, stream, start, early, options);
  const result = await state.run("append", (sql) =>
    sql.begin(async (tx) => {
      const lock = (): Promise<LockedSeries[]> =>
        tx<LockedSeries[]>`select id, next_index, chunk_size, fields, first_ts, last_ts from series
          where experiment_id = ${ref.id} and kind = ${stream.kind} and name = ${name} for update`;
      let [s] = await lock();
      if (!s) {
        await insertSeries(tx, state, ref, stream, options);
        [s] = await lock();
      }
      const row = s as LockedSeries;
      const next = Number(row.next_index);
      if (key !== undefined) {
        const [seen] = await tx<{ first_index: string }[]>`select first_index from accepted_batches where series_id = ${row.id} and writer = ${writer} and batch_key = ${key}`;
        if (seen) return { first: Number(seen.first_index), count: 0, skipped: length, next };
      }
      let known: number | undefined = next;
      if (own !== undefined) {
        const [w] = await tx<{ next_index: string }[]>`select next_index from writer_positions where series_id = ${row.id} and writer = ${own}`;
        known = w ? Number(w.next_index) : start;
      }
      if (start !== undefined && known !== undefined && start > known) {
        const whose = own === undefined ? "the stream" : `writer ${own}'s records`;
        throw new StreamGapError(`Gap in ${stream.key}: the batch starts at ${start} but ${whose} end at ${known}; resend from ${known}`, known);
      }
      const skip = start === undefined || known === undefined ? 0 : Math.max(0, Math.min(known - start, length));
      const count = length - skip;
      const writerNext = own === undefined || start === undefined ? undefined : Math.max(known ?? start, start + length);
      if (count === 0) return { first: next, count: 0, skipped: skip, next, writerNext };
      const part = skip === 0 ? data : sliceData(data, skip, count);
      const pending = early !== undefined && skip === 0 && start === next && row.chunk_size === state.chunkSize ? early : await pendingRows(state, stream, part, next, created(skip, count), row.chunk_size);
      const kept: RowData[] = [];
      let sealed = direct !== undefined && direct.seriesId === row.id && pending === early ? await sealedEnd(tx, row.id) : -1;
      for (const p of pending) {
        const key = p.first === sealed ? direct?.keys.get(p.first) : undefined;
        if (key !== undefined) {
          // At the sealed end under the series lock: no other chunk row can hold these records.
          if (!(await insertChunkRow(tx, row.id, row.chunk_size, directChunk(p, key, row.chunk_size)))) throw new StorageError(`Chunk at ${p.first} of ${stream.key} is sealed already`, { code: "CHUNK_CONFLICT" });
          sealed += p.count;
          continue;
        }
        sealed = -1;
        await tx`insert into pending_batches (series_id, first_index, count, data, chunk) values (${row.id}, ${p.first}, ${p.count}, ${p.bytes}, ${p.chunk === null ? null : tx.json(p.chunk as never)})`;
        kept.push(p);
      }
      stored = { seriesId: row.id, rows: kept };
      const facts = batchFacts(part, row.fields);
      const minTs = facts.minTs === null ? row.first_ts : row.first_ts === null ? facts.minTs : Math.min(row.first_ts, facts.minTs);
      const maxTs = facts.maxTs === null ? row.last_ts : row.last_ts === null ? facts.maxTs : Math.max(row.last_ts, facts.maxTs);
      await tx`update series set next_index = ${next + count}, updated_at = now(), fields = ${tx.array(facts.fields, 25)},
        last_data = coalesce(${facts.lastData}, last_data), first_ts = ${minTs}, last_ts = ${maxTs} where id = ${row.id}`;
      if (key !== undefined) {
        await tx`insert into accepted_batches (series_id, writer, batch_key, first_index, count) values (${row.id}, ${writer}, ${key}, ${next}, ${count})`;
      }
      if (own !== undefined && writerNext !== undefined) {
        await tx`insert into writer_positions (series_id, writer, next_index) values (${row.id}, ${own}, ${writerNext})
          on conflict (series_id, writer) do update set next_index = excluded.next_index`;
      }
      const size = row.chunk_size;
      if (Math.floor(next / size) !== Math.floor((next + count) / size)) crossed = { id: row.id };
      return { first: next, count, skipped: skip, next: next + count, writerNext };
    }),
  );
  // Committed: this node's seal of these rows need not read them back.
  if (stored) for (const p of stored.rows) state.pendingBytes.put(stored.seriesId, p.first, p.count, p.bytes);
  if (crossed) scheduleSeal(state, crossed.id, stream.kind);
  return result;
}

/** Numeric fields (first seen first, after `known`), the last point, and the time range of a batch. */
function batchFacts(data: BatchData, known: readonly string[]): BatchFacts {
  const fields = [...known];
  const seen = new Set(fields);
  const add = (k: string): void => {
    if (!seen.has(k)) {
      seen.add(k);
      fields.push(k);
    }
  };
  if (data.kind === "metric") {
    let last: Record<string, unknown> | null = null;
    for (const b of data.blocks) {
      if (b.kind === "cols") {
        for (const k of b.keys) add(k);
        if (b.length > 0) add("_ts");
      } else {
        for (const r of b.rows) for (const [k, v] of Object.entries(r)) if (typeof v === "number") add(k);
      }
      if (b.length > 0) last = blockRow(b, b.length - 1);
    }
    return { fields, lastData: last === null ? null : pyJson(last), minTs: null, maxTs: null };
  }
  if (data.kind === "track") {
    let lo: number | null = null;
    let hi: number | null = null;
    for (const r of data.records) {
      for (const k of Object.keys(r.data)) add(k);
      if (lo === null || r.timestamp < lo) lo = r.timestamp;
      if (hi === null || r.timestamp > hi) hi = r.timestamp;
    }
    return { fields, lastData: null, minTs: lo, maxTs: hi };
  }
  return { fields, lastData: null, minTs: null, maxTs: null };
}
