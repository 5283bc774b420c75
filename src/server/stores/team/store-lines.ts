/**
 * The records of a series as `.dash` JSONL lines, wherever they are: sealed chunks in S3
 * (gzipped, cached once read: objects never change) and pending batches in PostgreSQL (gzipped
 * too).
 *
 * Chunks and pending batches are read in one statement, so one snapshot: a seal that moves
 * points from pending rows into a chunk commits both at once, and a reader sees the points
 * either here or there, never twice and never neither.
 */
import { mapLimit } from "../../../internal/map-limit.ts";
import type { Sql } from "./pg.ts";
import type { TeamState } from "./store-state.ts";

const NL = 10;

/** One piece of a series: a sealed chunk or a pending batch. */
interface Piece {
  first_index: string;
  count: number;
  object_key: string | null;
  data: Uint8Array | null;
}

/** Byte offset of the start of line `n` (0 = start; lines past the end give the length). */
export function lineOffset(bytes: Uint8Array, n: number): number {
  let pos = 0;
  for (let k = 0; k < n; k++) {
    const nl = bytes.indexOf(NL, pos);
    if (nl < 0) return bytes.length;
    pos = nl + 1;
  }
  return pos;
}

/** Lines `[from, to)` of `bytes`. */
export function sliceLines(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const start = lineOffset(bytes, from);
  let end = start;
  for (let k = from; k < to; k++) {
    const nl = bytes.indexOf(NL, end);
    if (nl < 0) return bytes.subarray(start);
    end = nl + 1;
  }
  return bytes.subarray(start, end);
}

/** The decompressed lines of a sealed chunk. */
export function chunkBytes(state: TeamState, key: string): Promise<Uint8Array> {
  return state.chunks.get(key, async () => state.compression.gunzip(await state.s3.getBytes(key)));
}

/** The pieces holding records `[from, to)` of a series, in order. */
function pieces(sql: Sql, seriesId: string, from: number, to: number): Promise<Piece[]> {
  return sql<Piece[]>`
    select first_index, count, object_key, null::bytea as data from chunks
      where series_id = ${seriesId} and last_index >= ${from} and first_index < ${to}
    union all
    select first_index, count, null, data from pending_batches
      where series_id = ${seriesId} and first_index + count > ${from} and first_index < ${to}
    order by first_index`;
}

/**
 * Records `[from, to)` of a series as JSONL parts in order (fewer records when the series is
 * shorter). Each part is one chunk's or batch's share of the range.
 */
export async function readLines(state: TeamState, seriesId: string, from: number, to: number): Promise<Uint8Array[]> {
  if (to <= from) return [];
  const list = await state.run("read a series", (sql) => pieces(sql, seriesId, from, to));
  // Chunks are fetched a few at a time (an S3 GET is a round trip), the parts kept in order.
  return mapLimit(list, FETCHES, async (p) => {
    const first = Number(p.first_index);
    const bytes = p.object_key !== null ? await chunkBytes(state, p.object_key) : await state.compression.gunzip(p.data as Uint8Array);
    const lo = Math.max(0, from - first);
    const hi = Math.min(p.count, to - first);
    return lo === 0 && hi === p.count ? bytes : sliceLines(bytes, lo, hi);
  });
}

/** Concurrent reads of one series. */
const FETCHES = 8;
