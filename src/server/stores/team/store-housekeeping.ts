/**
 * Housekeeping of a team store kept for years: what no request ever cleans up by itself.
 *
 * - **Accepted batches** (`accepted_batches`, one row per keyed batch ever accepted) grow with
 *   every request. A row only matters while the client that sent the batch may still retry it
 *   (its answer lost). Rows older than {@link ACCEPTED_BATCH_RETENTION_MS} (7 days) are pruned.
 *   Why 7 days: a client's horizon for retrying one batch is minutes — the SDK retries a
 *   request 5 times (30 s timeout per attempt, backoff capped at 30 s: ≤ 5.5 min a round), in
 *   up to 3 rounds with pauses up to 60 s, under half an hour in the worst case; a background queue (hybrid upload) retries for as
 *   long as its process lives, paused by a laptop's sleep over a long weekend at most. A week
 *   is hundreds of times the foreground horizon and covers such a pause. The SDK's
 *   own batches do not depend on the table at all: they carry their position (in the body or
 *   as the key's last part, `<writer>:<stream>:<first>`), which `series.next_index` and
 *   `writer_positions` (never pruned) check, so only a keyed batch without a position (another
 *   client's) is recognised by its row here — and for a week.
 * - **Objects no row references**: the `object_gc` queue (filled by triggers when a chunk or file
 *   row is deleted, drained right away by the deleting node, left behind when that node died or
 *   S3 failed), and objects that never had a row — a file uploaded by a node that died before
 *   its record was inserted, a chunk written by a seal whose node died before its commit (and
 *   whose series is gone since). Objects younger than the grace period ({@link OBJECT_GRACE_MS},
 *   a day) are left alone: an upload or a seal still between its PUT and its commit must not
 *   lose its object. S3 sets `LastModified` with its own clock, so a day also absorbs any skew.
 *
 * A listing of a bucket kept for years is millions of keys, so {@link housekeep} lists it at most
 * once a day for all nodes together: the round that lists writes a marker object
 * (`housekeeping/stray-sweep`), and a round that finds the marker younger than a day skips the
 * listing (the queue and the pruning are cheap and run every round). Two nodes that read a stale
 * marker at once both list: harmless, only the cost doubles that day.
 *
 * - **Full chunks left pending**: a seal starts when an append crosses a chunk boundary. One that
 *   failed (S3 unreachable) or whose node died, and a node that left the round to it (the seal
 *   lock, store-seal.ts), leave full chunks in PostgreSQL until the series' next crossing, which
 *   a finished run never has. Every round seals the series that hold one.
 *
 * All are idempotent: several nodes may run them at once (each delete of a gone row or object is
 * a no-op, one node seals a series at a time), and a run stopped halfway is finished by the next.
 */
import type { StreamKind } from "../../../model/batch.ts";
import { sealAll } from "./store-seal.ts";
import type { TeamState } from "./store-state.ts";

/** How long an accepted batch's key is kept (7 days; the module comment says why). */
export const ACCEPTED_BATCH_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** How old an unreferenced object must be before the sweep deletes it (1 day). */
export const OBJECT_GRACE_MS = 24 * 3600 * 1000;
/** How often the bucket is listed for stray objects, by all nodes together (1 day). */
export const STRAY_SWEEP_EVERY_MS = 24 * 3600 * 1000;
/** The marker whose age says when the bucket was last listed (outside the swept prefixes). */
export const STRAY_SWEEP_MARKER = "housekeeping/stray-sweep";
/** Rows deleted per statement (keeps each transaction and its locks short). */
const PRUNE_BATCH = 10_000;
/** Keys checked per query and deleted per DeleteObjects request. */
const SWEEP_BATCH = 1000;
/** The prefixes the store writes objects under (store-seal.ts, store-files.ts). */
const OBJECT_PREFIXES = ["series/", "files/"] as const;

/** What {@link housekeep} did. */
export interface HousekeepingReport {
  /** Accepted-batch rows pruned. */
  readonly prunedBatches: number;
  /** Objects deleted from the `object_gc` queue. */
  readonly queuedObjects: number;
  /** Objects found by listing the bucket that no row referenced. */
  readonly strayObjects: number;
  /** Whether this round listed the bucket (else another round did within the day). */
  readonly listed: boolean;
  /** Chunks sealed that an append's seal had left pending. */
  readonly sealedChunks: number;
}

/** Options of the housekeeping functions (the defaults are the module's windows). */
export interface HousekeepingOptions {
  /** Accepted batches older than this are pruned (ms; default 7 days). */
  readonly batchRetentionMs?: number;
  /** Unreferenced objects older than this are deleted (ms; default 1 day). */
  readonly objectGraceMs?: number;
  /** How often {@link housekeep} lists the bucket (ms; default 1 day). */
  readonly strayEveryMs?: number;
  /** The time to measure ages from (default now; tests pass a later one). */
  readonly now?: Date;
}

/** Deletes accepted-batch rows older than the retention window; answers how many. */
export async function pruneAcceptedBatches(state: TeamState, options: HousekeepingOptions = {}): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.batchRetentionMs ?? ACCEPTED_BATCH_RETENTION_MS));
  let pruned = 0;
  for (;;) {
    const rows = await state.run("prune accepted batches", (sql) =>
      sql`delete from accepted_batches where ctid in (select ctid from accepted_batches where accepted_at < ${cutoff} limit ${PRUNE_BATCH})`,
    );
    pruned += rows.count;
    if (rows.count < PRUNE_BATCH) return pruned;
  }
}

/** The keys of `keys` that a chunk or file row references. */
async function referenced(state: TeamState, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await state.run("find referenced objects", (sql) =>
    sql<{ object_key: string }[]>`select object_key from chunks where object_key = any(${sql.array([...keys], 25)})
      union select object_key from files where object_key = any(${sql.array([...keys], 25)})`,
  );
  return new Set(rows.map((r) => r.object_key));
}

/** Drains the `object_gc` queue: deletes each queued object no row references (again), then its queue row. */
async function drainQueue(state: TeamState): Promise<number> {
  let deleted = 0;
  let after = "";
  for (;;) {
    const rows = await state.run("read the object gc queue", (sql) =>
      sql<{ object_key: string }[]>`select object_key from object_gc where object_key > ${after} order by object_key limit ${SWEEP_BATCH}`,
    );
    if (rows.length === 0) return deleted;
    const keys = rows.map((r) => r.object_key);
    after = keys[keys.length - 1] as string;
    const live = await referenced(state, keys);
    const dead = keys.filter((k) => !live.has(k));
    if (dead.length > 0) await state.s3.deleteMany(dead);
    await state.run("drain the object gc queue", (sql) => sql`delete from object_gc where object_key = any(${sql.array(keys, 25)})`);
    deleted += dead.length;
  }
}

/** Lists the store's objects and deletes those older than the grace period that no row references. */
async function sweepStray(state: TeamState, cutoff: Date): Promise<number> {
  let deleted = 0;
  const check = async (keys: string[]): Promise<void> => {
    const live = await referenced(state, keys);
    const dead = keys.filter((k) => !live.has(k));
    if (dead.length > 0) await state.s3.deleteMany(dead);
    deleted += dead.length;
  };
  for (const prefix of OBJECT_PREFIXES) {
    let keys: string[] = [];
    for await (const o of state.s3.list(prefix)) {
      // No date (a service that omits it) counts as young: never delete what we cannot age.
      if (o.lastModified === undefined || o.lastModified >= cutoff) continue;
      keys.push(o.key);
      if (keys.length === SWEEP_BATCH) {
        await check(keys);
        keys = [];
      }
    }
    await check(keys);
  }
  return deleted;
}

/**
 * Deletes the objects no row references: the `object_gc` queue, then a listing of the bucket
 * (objects past the grace period only; unless `listing` is false).
 */
export async function sweepObjects(state: TeamState, options: HousekeepingOptions & { listing?: boolean } = {}): Promise<{ queued: number; stray: number }> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.objectGraceMs ?? OBJECT_GRACE_MS));
  const queued = await drainQueue(state);
  const stray = options.listing === false ? 0 : await sweepStray(state, cutoff);
  return { queued, stray };
}

/** Whether the bucket is due for a listing; if so, marks it listed now (before listing: a crash mid-listing waits a day). */
async function claimListing(state: TeamState, options: HousekeepingOptions): Promise<boolean> {
  const marker = await state.s3.head(STRAY_SWEEP_MARKER);
  const now = (options.now ?? new Date()).getTime();
  if (marker?.lastModified !== undefined && now - marker.lastModified.getTime() < (options.strayEveryMs ?? STRAY_SWEEP_EVERY_MS)) return false;
  await state.s3.put(STRAY_SWEEP_MARKER, new TextEncoder().encode(new Date(now).toISOString()), { contentType: "text/plain" });
  return true;
}

/** Seals every series that holds a full chunk of pending records; answers how many chunks. */
export async function sealLeftovers(state: TeamState): Promise<number> {
  let sealed = 0;
  let after = "0";
  for (;;) {
    const rows = await state.run("find full chunks left pending", (sql) =>
      sql<{ id: string; kind: StreamKind }[]>`select s.id, s.kind from series s
        where s.id > ${after} and s.next_index - coalesce((select max(c.last_index) + 1 from chunks c where c.series_id = s.id), 0) >= s.chunk_size
        order by s.id limit ${SWEEP_BATCH}`,
    );
    for (const r of rows) sealed += await sealAll(state, r.id, r.kind);
    if (rows.length < SWEEP_BATCH) return sealed;
    after = (rows[rows.length - 1] as { id: string }).id;
  }
}

/** One round of housekeeping: prunes accepted batches, drains the object queue, lists the bucket when it is due, and seals full chunks left pending. */
export async function housekeep(state: TeamState, options: HousekeepingOptions = {}): Promise<HousekeepingReport> {
  const prunedBatches = await pruneAcceptedBatches(state, options);
  const listed = await claimListing(state, options);
  const { queued, stray } = await sweepObjects(state, { ...options, listing: listed });
  const sealedChunks = await sealLeftovers(state);
  return { prunedBatches, queuedObjects: queued, strayObjects: stray, listed, sealedChunks };
}
