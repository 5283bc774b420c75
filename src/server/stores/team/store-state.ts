/**
 * What every part of the team store shares: the PostgreSQL pool, the S3 client, the chunk
 * size, a cache of sealed chunks (immutable objects, so a cached copy is never stale on any
 * node), the seals running in this process, and the row helpers of experiments and series.
 */
import { NotFoundError, ValidationError } from "../../../errors.ts";
import type { StreamId, StreamKind } from "../../../model/batch.ts";
import { streamId } from "../../../model/batch.ts";
import type { ExperimentRef } from "../../store/records.ts";
import type { AppendOptions } from "../../store/streams.ts";
import type postgres from "postgres";
import type { Pg, Sql } from "./pg.ts";
import { webCompression, type Compression } from "./compress.ts";
import { PendingBytes } from "./pending-bytes.ts";
import { sha256Hex, toHex, type Sha256 } from "../../../files/sha256.ts";
import type { S3Client } from "./s3.ts";

/** Options of the team store. */
export interface TeamStoreOptions {
  /** The PostgreSQL pool (closed by `close()`). */
  readonly pg: Pg;
  /** The bucket and prefix of sealed chunks and files. */
  readonly s3: S3Client;
  /** Points (or log lines, track entries) per sealed chunk. Default 10,000 (ML-Dash's). */
  readonly chunkSize?: number;
  /** Apply pending schema migrations on `ready()` (default true). */
  readonly migrate?: boolean;
  /** Bytes of decompressed chunks kept in memory (default 256 MiB). */
  readonly chunkCacheBytes?: number;
  /**
   * Compresses and decompresses pending rows and sealed chunks. Default: CompressionStream and
   * DecompressionStream (every runtime). The Node CLI hands in node:zlib's, in libuv's thread
   * pool (src/runtime/node/compress.ts says what that saves).
   */
  readonly compression?: Compression;
  /**
   * A runtime's incremental SHA-256 for chunk digests (Node's node:crypto: no promise and job per
   * chunk, which crypto.subtle costs); default crypto.subtle.
   */
  readonly sha256?: () => Sha256;
}

/** A `series` row, as the store reads it. */
export interface SeriesRow {
  id: string;
  experiment_id: string;
  kind: StreamKind;
  name: string;
  next_index: string;
  description: string | null;
  tags: string[];
  metadata: Record<string, unknown> | null;
  fields: string[];
  last_data: string | null;
  first_ts: number | null;
  last_ts: number | null;
  created_at: Date;
  updated_at: Date;
}

/** An `experiments` row. */
export interface ExperimentRow {
  id: string;
  node_id: string;
  project_id: string;
  folder_id: string | null;
  path: string;
  name: string;
  status: string;
  description: string | null;
  tags: string[];
  bindrs: string[];
  metadata: Record<string, unknown> | null;
  write_protected: boolean;
  created_at: Date;
  updated_at: Date;
}

/** The shared state of one team store. */
export class TeamState {
  readonly pg: Pg;
  readonly s3: S3Client;
  readonly chunkSize: number;
  readonly chunks: ChunkCache;
  /** gzip and gunzip of pending rows and chunks ({@link TeamStoreOptions.compression}). */
  readonly compression: Compression;
  /** SHA-256 (hex) of a chunk's lines ({@link TeamStoreOptions.sha256}). */
  readonly digest: (bytes: Uint8Array) => Promise<string>;
  /** The bytes of pending rows this node appended, for its seals (pending-bytes.ts; 64 MiB). */
  readonly pendingBytes = new PendingBytes(64 * 1024 * 1024);
  /** Seals running in this process, by series id (one at a time per series here; others may race from other nodes). */
  readonly sealing = new Map<string, Promise<void>>();

  constructor(options: TeamStoreOptions) {
    this.pg = options.pg;
    this.s3 = options.s3;
    this.chunkSize = options.chunkSize ?? 10_000;
    if (!Number.isSafeInteger(this.chunkSize) || this.chunkSize < 1) throw new ValidationError(`chunkSize must be a positive integer, got ${this.chunkSize}`, { field: "chunkSize" });
    this.chunks = new ChunkCache(options.chunkCacheBytes ?? 256 * 1024 * 1024);
    this.compression = options.compression ?? webCompression;
    const hash = options.sha256;
    this.digest = hash
      ? async (bytes) => {
          const h = hash();
          h.update(bytes);
          return toHex(h.digest());
        }
      : sha256Hex;
  }

  /** Runs `fn` with the pool, errors typed (see pg.ts). */
  run<T>(operation: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.pg.run(operation, fn);
  }

  /** The series row of `stream`, if it was ever appended to. */
  async series(ref: ExperimentRef, stream: StreamId): Promise<SeriesRow | undefined> {
    const [row] = await this.run("read a series", (sql) => sql<SeriesRow[]>`select * from series where experiment_id = ${ref.id} and kind = ${stream.kind} and name = ${seriesName(stream)}`);
    return row;
  }

  /** Every series row of an experiment (of `kind` when given), oldest first. */
  async allSeries(ref: ExperimentRef, kind?: StreamKind): Promise<SeriesRow[]> {
    return this.run("list series", (sql) =>
      kind === undefined
        ? sql<SeriesRow[]>`select * from series where experiment_id = ${ref.id} order by id`
        : sql<SeriesRow[]>`select * from series where experiment_id = ${ref.id} and kind = ${kind} order by id`,
    );
  }
}

/**
 * Creates the series of `stream` unless it exists (any node may race: the unique key decides).
 * A series an upload creates was first written when its first point was (`firstDataAt`).
 */
export async function insertSeries(sql: Sql | postgres.TransactionSql, state: TeamState, ref: ExperimentRef, stream: StreamId, options: Pick<AppendOptions, "info" | "createdAt">): Promise<void> {
  const { info } = options;
  const firstAt = options.createdAt?.[0]?.[1] ?? null;
  await sql`insert into series (experiment_id, kind, name, chunk_size, description, tags, metadata, created_at)
    values (${ref.id}, ${stream.kind}, ${seriesName(stream)}, ${state.chunkSize}, ${info?.description ?? null}, ${sql.array([...(info?.tags ?? [])] as string[], 25)},
      ${info?.metadata == null ? null : sql.json(info.metadata as never)}, coalesce(${firstAt}::timestamptz, now()))
    on conflict (experiment_id, kind, name) do nothing`;
}

/** The `name` column of a stream: the metric name or track topic; `''` for the log and the unnamed metric. */
export function seriesName(stream: StreamId): string {
  return stream.name ?? "";
}

/** The stream of a series row. */
export function streamOf(row: Pick<SeriesRow, "kind" | "name">): StreamId {
  return streamId(row.kind, row.kind === "track" ? row.name : row.name === "" ? null : row.name);
}

/** True when `id` can be a row id (a decimal int8): anything else names nothing. */
export function isRowId(id: string | null | undefined): id is string {
  return typeof id === "string" && /^[1-9][0-9]{0,18}$/.test(id) && (id.length < 19 || id <= "9223372036854775807");
}

/** An ISO timestamp of a database time. */
export function iso(d: Date | string | null | undefined): string | null {
  if (d === null || d === undefined) return null;
  return (d instanceof Date ? d : new Date(d)).toISOString();
}

/** The ref of an experiment row. */
export function refOf(row: Pick<ExperimentRow, "id" | "node_id" | "path" | "name" | "project_id" | "folder_id">): ExperimentRef {
  return { id: row.id, nodeId: row.node_id, path: row.path, name: row.name, projectId: row.project_id, parentId: row.folder_id ?? "ROOT" };
}

/** The experiment row of a ref; `NotFoundError` when it is gone. */
export async function experimentRow(state: TeamState, ref: ExperimentRef): Promise<ExperimentRow> {
  const [row] = isRowId(ref.id) ? await state.run("read an experiment", (sql) => sql<ExperimentRow[]>`select * from experiments where id = ${ref.id}`) : [];
  if (!row) throw new NotFoundError(`Experiment ${JSON.stringify(ref.id)} not found`);
  return row;
}

/** Decompressed chunk bytes by object key, least recently used evicted beyond a byte budget. */
export class ChunkCache {
  private readonly entries = new Map<string, Promise<Uint8Array>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  /** The bytes of `key`, loaded by `load` once (concurrent callers share the load). */
  get(key: string, load: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const p = load();
    this.entries.set(key, p);
    p.then(
      (b) => {
        if (this.entries.get(key) !== p) return;
        this.sizes.set(key, b.length);
        this.bytes += b.length;
        this.evict(key);
      },
      () => {
        if (this.entries.get(key) === p) this.entries.delete(key);
      },
    );
    return p;
  }

  private evict(keep: string): void {
    for (const k of this.entries.keys()) {
      if (this.bytes <= this.budget) return;
      if (k === keep || !this.sizes.has(k)) continue;
      this.bytes -= this.sizes.get(k) as number;
      this.sizes.delete(k);
      this.entries.delete(k);
    }
  }
}
