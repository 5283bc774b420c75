/**
 * Sealing: once a series holds a full chunk's worth of pending records (10,000 by default,
 * ML-Dash's chunk size), they move into one immutable S3 object and one `chunks` row with the
 * chunk's summary, and their pending rows go.
 *
 * Encoding: the chunk is the records' `.dash` JSONL lines (the bytes `data.jsonl` holds, which
 * ML-Dash Python and the `.dash` store read), gzipped. The line format keeps every value exactly
 * as written (NaN, ±Infinity, strings, key order) with no second codec to keep in step; gzip
 * takes the repetition out of it (keys and `createdAt` repeat on every line).
 *
 * One node seals a series at a time: a round runs in a transaction that first takes the series'
 * advisory lock without waiting ({@link SEAL_LOCK_CLASS}); a node that finds it taken leaves the
 * round to its holder, which looks at the pending rows again after every round it commits (so
 * rows committed while it held the lock are sealed too: they committed before the other node
 * tried the lock, hence before this commit). Three nodes behind a round-robin proxy each crossed
 * every chunk boundary and all sealed it, two of them for nothing: 19.4 µs of node CPU per
 * point against 11.2 for one node (bench/team.mjs, 200k points).
 *
 * Were two nodes to seal the same points at once anyway (a node of an older version), that is safe:
 * - the object key is deterministic (`series/<id>/<chunk number>.jsonl.gz`) and its content is
 *   the same lines, so a second PUT rewrites the same records;
 * - the chunk row is inserted `ON CONFLICT DO NOTHING` (its keys: series + chunk number, series
 *   + first index, object key), and only the winner deletes the sealed pending rows, in the
 *   same transaction: readers (one statement, one snapshot) see the records pending or sealed,
 *   never both, never neither;
 * - a node that dies between the PUT and the commit leaves an object the next seal of that
 *   chunk overwrites: no row ever points at a missing object.
 *
 * Whole chunks that an append finds at the sealed end never become pending rows: the append
 * stores them itself, under keys of its own attempt (store-direct.ts). The seal handles the
 * rest: batches behind unsealed records, partial batches, and what a failed PUT left pending.
 */
import type { StreamKind } from "../../../model/batch.ts";
import { mapLimit } from "../../../internal/map-limit.ts";
import { chunkFacts, type ChunkFacts, type summarize } from "./chunk-summary.ts";
import { sliceLines } from "./store-lines.ts";
import { concatBytes } from "../../../internal/bytes.ts";
import type { TeamState } from "./store-state.ts";
import type postgres from "postgres";
import type { Sql as Pool } from "./pg.ts";

/** The pool or a transaction of it. */
type Sql = Pool | postgres.TransactionSql;

interface PendingRow {
  first_index: string;
  count: number;
  data: Uint8Array;
  /** What sealing the row records, when it is exactly one chunk and its append computed it. */
  chunk: ChunkFacts | null;
}

/** Seals what can be sealed of a series, after the seals this process already runs for it. */
export function scheduleSeal(state: TeamState, seriesId: string, kind: StreamKind): Promise<void> {
  const before = state.sealing.get(seriesId) ?? Promise.resolve();
  const run = before
    .then(async () => {
      await sealAll(state, seriesId, kind);
    })
    .catch((e: unknown) => {
      // The records stay pending (readable, durable); the next boundary crossing seals them.
      console.warn(`ml-dash team store: sealing series ${seriesId} failed (will retry later): ${e instanceof Error ? e.message : String(e)}`);
    })
    .finally(() => {
      if (state.sealing.get(seriesId) === run) state.sealing.delete(seriesId);
    });
  state.sealing.set(seriesId, run);
  return run;
}

/**
 * Seals every full chunk of pending records of a series, unless another node is sealing it:
 * that one seals what this node would have (see the file comment). Answers how many chunks
 * this call sealed.
 */
export async function sealAll(state: TeamState, seriesId: string, kind: StreamKind): Promise<number> {
  let sealed = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const outcome = await sealOne(state, seriesId, kind);
    if (outcome === "none" || outcome === "busy") return sealed;
    if (typeof outcome === "number") sealed += outcome;
  }
  return sealed;
}

/**
 * The first key of the seal locks (`pg_try_advisory_xact_lock(int, int)`, the series id the
 * second): "mlds" in ASCII. The two-key form has a lock space of its own, apart from one-key
 * locks such as the migrations' (migrations.ts).
 */
export const SEAL_LOCK_CLASS = 0x6d6c6473;

/** The second key of a series' seal lock (ids past 2³¹ share keys: such a pair only waits for one round of the other). */
const sealLockKey = (seriesId: string): number => Number(BigInt(seriesId) % 2147483647n);

/** Chunks sealed per round at most (their PUTs run a few at a time, their rows commit together). */
const ROUND = 32;
/** Concurrent PUTs of one round (or of one append's whole chunks: store-direct.ts). */
const PUTS = 4;

/** A chunk ready for its row: number, first record, object key and bytes, digest and summary. */
export interface Sealed {
  no: number;
  from: number;
  key: string;
  body: Uint8Array;
  digest: string;
  summary: ReturnType<typeof summarize>;
}

/**
 * One round: every full chunk of pending records (up to {@link ROUND}) goes to S3, then one
 * transaction inserts their rows and deletes (or trims) the pending rows they cover. Another
 * node that sealed any of them first makes the whole round roll back ("lost"): the caller
 * starts again from what is sealed now.
 */
async function sealOne(state: TeamState, seriesId: string, kind: StreamKind): Promise<number | "none" | "lost" | "busy"> {
  // A look without the lock first: most crossings find nothing to seal, or a round under way.
  const look = await state.run("seal", (sql) => fullChunks(state, sql, seriesId, false));
  if (!look) return "none";
  let sealedRows: PendingRow[] = [];
  const outcome = await state.run("seal", (sql) =>
    sql
      .begin(async (tx) => {
        const [lock] = await tx<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(${SEAL_LOCK_CLASS}, ${sealLockKey(seriesId)}) as ok`;
        if (!lock?.ok) return "busy" as const;
        const plan = await fullChunks(state, tx, seriesId, true);
        if (!plan) return "none" as const;
        const { from, size, n, rows } = plan;
        const end = from + n * size;
        // A row is gunzipped once per round, however many chunks it spans.
        const unzipped = new Map<PendingRow, Promise<Uint8Array>>();
        const unzip = (r: PendingRow): Promise<Uint8Array> => {
          let bytes = unzipped.get(r);
          if (!bytes) unzipped.set(r, (bytes = state.compression.gunzip(r.data)));
          return bytes;
        };
        const chunks: Sealed[] = [];
        for (let k = 0; k < n; k++) {
          const at = from + k * size;
          const no = Math.floor(at / size);
          const key = `${chunkKeyPrefix(seriesId, no)}.jsonl.gz`;
          // A pending row that is exactly this chunk (an SDK's full batch) is already its lines
          // gzipped: the same bytes go, with the facts its append computed (no point is read).
          const whole = rows.find((r) => Number(r.first_index) === at && r.count === size);
          if (whole?.chunk) {
            chunks.push(sealedChunk(no, at, key, whole.data, whole.chunk));
            continue;
          }
          const lines = await linesOf(rows, at, at + size, unzip);
          const facts = await chunkFacts(kind, lines, at, undefined, state.digest);
          chunks.push(sealedChunk(no, at, key, whole ? whole.data : await state.compression.gzip(lines), facts));
          // The sealing node is likely to be asked for these records soon: keep the lines at hand.
          void state.chunks.get(key, async () => lines);
        }
        await putChunkObjects(state, chunks);
        for (const c of chunks) {
          if (!(await insertChunkRow(tx, seriesId, size, c))) throw LOST;
        }
        await tx`delete from pending_batches where series_id = ${seriesId} and first_index >= ${from} and first_index + count <= ${end}`;
        sealedRows = rows.filter((r) => Number(r.first_index) + r.count <= end);
        const [straddler] = await tx<PendingRow[]>`select first_index, count, data from pending_batches
          where series_id = ${seriesId} and first_index < ${end} and first_index + count > ${end} for update`;
        if (straddler) {
          const first = Number(straddler.first_index);
          await tx`delete from pending_batches where series_id = ${seriesId} and first_index = ${first}`;
          const tail = await state.compression.gzip(sliceLines(await state.compression.gunzip(straddler.data), end - first, straddler.count));
          await tx`insert into pending_batches (series_id, first_index, count, data) values (${seriesId}, ${end}, ${first + straddler.count - end}, ${tail})`;
        }
        return chunks.length;
      })
      .catch((e: unknown) => {
        if (e === LOST) return "lost" as const;
        throw e;
      }),
  );
  if (typeof outcome === "number") for (const r of sealedRows) state.pendingBytes.drop(seriesId, Number(r.first_index));
  return outcome;
}

/** PUTs chunk objects ({@link PUTS} at a time); rejects with the first failure. */
export async function putChunkObjects(state: TeamState, chunks: readonly Pick<Sealed, "key" | "body">[]): Promise<void> {
  await mapLimit(chunks, PUTS, (c) => state.s3.put(c.key, c.body, { contentType: "application/gzip" }));
}

/** Chunk `no` (records from `from`) in object `key` with `body`, described by `facts`. */
export function sealedChunk(no: number, from: number, key: string, body: Uint8Array, facts: ChunkFacts): Sealed {
  const { sha256, ...summary } = facts;
  return { no, from, key, body, digest: sha256, summary };
}

/** The start of the object keys of chunk `no` of a series (`series/<id>/<8-digit chunk number>`). */
export const chunkKeyPrefix = (seriesId: string, no: number): string => `series/${seriesId}/${String(no).padStart(8, "0")}`;

/**
 * Inserts the `chunks` row of a sealed chunk (`size` records from `c.from`, in object `c.key`);
 * false when the chunk is already sealed (another node's row won).
 */
export async function insertChunkRow(tx: Sql, seriesId: string, size: number, c: Sealed): Promise<boolean> {
  const won = await tx`insert into chunks (series_id, chunk_no, first_index, last_index, count, summary, ts_min, ts_max, object_key, encoding, byte_size, sha256)
    values (${seriesId}, ${c.no}, ${c.from}, ${c.from + size - 1}, ${size}, ${tx.json(c.summary.summary as never)}, ${c.summary.tsMin}, ${c.summary.tsMax}, ${c.key}, 'jsonl.gz', ${c.body.length}, ${c.digest})
    on conflict do nothing returning chunk_no`;
  return won.length > 0;
}

/** What a round would seal: the first unsealed index, the chunk size, how many full chunks (≥ 1), and their pending rows. */
interface SealPlan<Row> {
  from: number;
  size: number;
  n: number;
  rows: Row[];
}

/**
 * The full chunks of pending records of a series (up to {@link ROUND}), or `undefined` when
 * there is none; with `withData`, the rows of those chunks come with their bytes: those this
 * node appended from memory ({@link TeamState.pendingBytes}), the rest in one read.
 */
async function fullChunks(state: TeamState, sql: Sql, seriesId: string, withData: true): Promise<SealPlan<PendingRow> | undefined>;
async function fullChunks(state: TeamState, sql: Sql, seriesId: string, withData: false): Promise<SealPlan<Omit<PendingRow, "data">> | undefined>;
async function fullChunks(state: TeamState, sql: Sql, seriesId: string, withData: boolean): Promise<SealPlan<Omit<PendingRow, "data">> | undefined> {
  const [head] = await sql<{ sealed: string; size: number }[]>`
    select coalesce((select max(last_index) + 1 from chunks where series_id = ${seriesId}), 0) as sealed, chunk_size as size from series where id = ${seriesId}`;
  if (!head) return undefined;
  const from = Number(head.sealed);
  const size = head.size;
  const listed = await sql<Omit<PendingRow, "data">[]>`select first_index, count, chunk from pending_batches
    where series_id = ${seriesId} and first_index < ${from + size * ROUND} and first_index + count > ${from} order by first_index`;
  // Contiguous records from `from` (pending rows are dense: a gap cannot happen, but would stop here).
  let covered = from;
  for (const r of listed) {
    if (Number(r.first_index) > covered) break;
    covered = Number(r.first_index) + r.count;
  }
  const n = Math.min(ROUND, Math.floor((covered - from) / size));
  if (n === 0) return undefined;
  if (!withData) return { from, size, n, rows: listed };
  const end = from + n * size;
  const rows = listed.filter((r) => Number(r.first_index) < end) as PendingRow[];
  const missing: string[] = [];
  for (const r of rows) {
    const kept = state.pendingBytes.get(seriesId, Number(r.first_index), r.count);
    if (kept) r.data = kept;
    else missing.push(r.first_index);
  }
  if (missing.length > 0) {
    const read = await sql<{ first_index: string; data: Uint8Array }[]>`select first_index, data from pending_batches where series_id = ${seriesId} and first_index in ${sql(missing)}`;
    const byFirst = new Map(read.map((r) => [r.first_index, r.data]));
    for (const r of rows) {
      r.data ??= byFirst.get(r.first_index) as Uint8Array;
      if (!r.data) throw LOST; // sealed by another node since it was listed: the round starts again
    }
  }
  return { from, size, n, rows };
}

const LOST = new Error("another node sealed these records first");

/**
 * Records `[from, end)` out of pending rows (sorted, dense from `from`), their lines from
 * `unzip`. A row inside the range is taken whole, without looking for its lines.
 */
async function linesOf(rows: readonly PendingRow[], from: number, end: number, unzip: (row: PendingRow) => Promise<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let at = from;
  for (const r of rows) {
    const first = Number(r.first_index);
    if (at >= end) break;
    if (first + r.count <= at) continue;
    const hi = Math.min(r.count, end - first);
    const bytes = await unzip(r);
    parts.push(at === first && hi === r.count ? bytes : sliceLines(bytes, at - first, hi));
    at = first + hi;
  }
  return concatBytes(parts);
}
