/**
 * Whole chunks straight to S3. A batch that starts where its series' sealed chunks end, on a
 * chunk boundary (the usual case for an SDK: full batches, one after the other), holds whole
 * chunks; their objects are PUT before the append's transaction, and the transaction inserts
 * their `chunks` rows instead of pending rows. Their bytes never pass through PostgreSQL (where
 * postgres.js sends `bytea` as hex text, TOAST splits each value into 2 kB pieces, and the seal
 * deleted them again), and no seal round runs for them.
 *
 * Each attempt PUTs under keys of its own (`series/<id>/<chunk>-<random>.jsonl.gz`): an attempt
 * whose transaction does not use them (a retry that another node stored first, a batch that
 * arrived behind another, a failure) leaves objects no row references, which housekeeping
 * deletes once they are a day old. A committed row never points at an object another attempt
 * could overwrite. When a PUT fails, the batch goes to pending rows as before (sealed later).
 */
import type { StreamId } from "../../../model/batch.ts";
import type { ExperimentRef } from "../../store/records.ts";
import type { Sql } from "./pg.ts";
import { chunkKeyPrefix, putChunkObjects, sealedChunk, type Sealed } from "./store-seal.ts";
import { insertSeries, seriesName, type TeamState } from "./store-state.ts";
import type { AppendOptions } from "../../store/streams.ts";
import type { ChunkFacts } from "./chunk-summary.ts";
import type postgres from "postgres";

/** One row of a batch as the append encodes it: records `[first, first + count)`, their gzipped lines, and what sealing them records when they are exactly one chunk. */
export interface RowData {
  first: number;
  count: number;
  bytes: Uint8Array;
  chunk: ChunkFacts | null;
}

/** Objects PUT for the leading whole chunks of a batch, by first record. */
export interface DirectChunks {
  readonly seriesId: string;
  readonly keys: ReadonlyMap<number, string>;
}

/**
 * PUTs the leading whole chunks of `rows` (records from `start` of `stream`) when the series'
 * sealed chunks end at `start` and the stream ends there too; `undefined` when they do not (the
 * rows go pending), or when a PUT failed.
 */
export async function putWholeChunks(
  state: TeamState,
  ref: ExperimentRef,
  stream: StreamId,
  start: number,
  rows: readonly RowData[],
  options: Pick<AppendOptions, "info" | "createdAt">,
): Promise<DirectChunks | undefined> {
  const whole: RowData[] = [];
  for (const r of rows) {
    if (r.chunk === null) break;
    whole.push(r);
  }
  if (whole.length === 0) return undefined;
  // The series, where its stream ends and where its chunks end, in one statement.
  const find = (): Promise<{ id: string; next_index: string; chunk_size: number; sealed: string }[]> =>
    state.run(
      "append",
      (sql) => sql`select id, next_index, chunk_size, coalesce((select max(last_index) + 1 from chunks c where c.series_id = s.id), 0) as sealed
        from series s where experiment_id = ${ref.id} and kind = ${stream.kind} and name = ${seriesName(stream)}`,
    );
  let [s] = await find();
  if (!s && start === 0) {
    // A run's first batch: the series is created now (its key names the objects), as the append would.
    await state.run("append", (sql) => insertSeries(sql, state, ref, stream, options));
    [s] = await find();
  }
  if (!s || s.chunk_size !== state.chunkSize || Number(s.next_index) !== start || Number(s.sealed) !== start) return undefined;
  const keys = new Map<number, string>();
  const tag = randomTag();
  for (const r of whole) keys.set(r.first, `${chunkKeyPrefix(s.id, Math.floor(r.first / s.chunk_size))}-${tag}.jsonl.gz`);
  try {
    await putChunkObjects(state, whole.map((r) => ({ key: keys.get(r.first) as string, body: r.bytes })));
  } catch {
    return undefined; // S3 unreachable: the records wait in PostgreSQL for a seal
  }
  return { seriesId: s.id, keys };
}

/** The first record of a series that no chunk holds (its chunks are dense from 0). */
export async function sealedEnd(sql: Sql | postgres.TransactionSql, seriesId: string): Promise<number> {
  const [row] = await sql<{ sealed: string }[]>`select coalesce(max(last_index) + 1, 0) as sealed from chunks where series_id = ${seriesId}`;
  return Number(row?.sealed ?? 0);
}

/** The chunk a row PUT by {@link putWholeChunks} is, ready for its `chunks` row. */
export function directChunk(r: RowData, key: string, size: number): Sealed {
  return sealedChunk(Math.floor(r.first / size), r.first, key, r.bytes, r.chunk as ChunkFacts);
}

/** 8 random hex digits: an attempt's own object keys. */
function randomTag(): string {
  const [n] = crypto.getRandomValues(new Uint32Array(1)) as unknown as [number];
  return n.toString(16).padStart(8, "0");
}
