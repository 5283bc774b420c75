/**
 * A backend is one destination of an experiment's data: the local store (through a
 * {@link StorageAdapter}) or an ML-Dash server. The buffer seals batches and hands them to the
 * primary backend (local when there is one); once the primary holds them, secondaries (the
 * server in hybrid mode) receive the same batches, with the same numbering.
 */
import type { PlainObject, PlainValue } from "./values.ts";
import type { ParsedPrefix } from "./prefix.ts";
import type { Batch, StreamId, StreamInfo } from "./batch.ts";

/** Lifecycle states recorded for a run. */
export type RunStatus = "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED";

/** What a backend needs to create or resume an experiment. */
export interface ExperimentInfo {
  readonly prefix: ParsedPrefix;
  readonly description: string | undefined;
  readonly tags: readonly string[] | undefined;
  readonly bindrs: readonly string[] | undefined;
  readonly metadata: PlainObject | undefined;
}

/** What a backend knows after opening: resumable state and the experiment record. */
export interface OpenState {
  /** Stored params, flat. */
  readonly params: Record<string, PlainValue>;
  /** Number of params writes so far (`parameters.json` version). */
  readonly paramsVersion: number;
  /** The experiment record (local experiment.json, or the server's create response). */
  readonly data: Record<string, unknown>;
  /** The server's experiment id (remote backends only). */
  readonly id?: string;
}

/** The full params state after a `params.set()` and the keys it changed. */
export interface ParamsUpdate {
  readonly version: number;
  readonly data: Readonly<Record<string, PlainValue>>;
  readonly changed: Readonly<Record<string, PlainValue>>;
  /** Times kept from the params' first store (`ml-dash upload`): written instead of now. */
  readonly createdAt?: string | undefined;
  readonly updatedAt?: string | undefined;
}

/** One destination of an experiment's data. */
export interface Backend {
  /** `"local"` or `"remote"`, for messages and stats. */
  readonly role: "local" | "remote";
  /** Creates or resumes the experiment; marks it RUNNING. */
  open(info: ExperimentInfo): Promise<OpenState>;
  /**
   * Reads what `open` would return without changing anything (a read-only open); throws a
   * `NotFoundError` when the experiment does not exist. Optional (local stores have it).
   */
  load?(info: ExperimentInfo): Promise<OpenState>;
  /**
   * The number the next record of `stream` gets (loaded once per stream, then tracked).
   * `info` describes the stream if it has to be created.
   */
  cursor(stream: StreamId, info?: StreamInfo): Promise<number>;
  /**
   * Stores batches of one stream, in order. Resolves when they are durable (local) or
   * acknowledged (remote). A batch the backend already holds is not stored twice. A backend may
   * renumber a batch (set `first`) when another writer advanced the stream.
   */
  write(stream: StreamId, batches: readonly Batch[]): Promise<void>;
  /**
   * Batches of `stream` were just sealed and will come to `write` in order. A backend may start
   * work on them now (the local one encodes them on its encoder threads), so that work runs
   * beside the training loop instead of waiting for the write cycle. Optional; never throws.
   */
  prepare?(stream: StreamId, batches: readonly Batch[]): void;
  /**
   * Stores `batches` (the sealed, unacknowledged batches of `stream`, in order) before it
   * returns, where the backend can do so synchronously; returns how many of them, from the
   * first, it now holds (0 when it cannot). Optional: the buffer's backpressure (see
   * `BufferOptions.onFull`). Throws a storage error when storing fails.
   */
  writeSync?(stream: StreamId, batches: readonly Batch[]): number;
  /** Stores the params state. */
  writeParams(update: ParamsUpdate): Promise<void>;
  /** Records the run status. */
  setStatus(status: RunStatus): Promise<void>;
  /** Resolves when data accepted by `write` is durable or acknowledged (secondaries queue internally). */
  flush?(): Promise<void>;
  /** Makes completed writes durable against power loss. */
  sync?(): Promise<void>;
  /** Releases resources. */
  close(): Promise<void>;
}

/** A page of metric points, shaped as ML-Dash returns it. */
export interface MetricPage {
  data: { index: number; data: PlainObject; createdAt: string }[];
  startIndex: number;
  /** Index of the last point returned (`startIndex - 1` when the page is empty). */
  endIndex: number;
  /** Number of points in this page (as ML-Dash's local reader reports it). */
  total: number;
  hasMore: boolean;
}

/** Metric statistics, shaped as ML-Dash returns them (counts as strings). */
export interface MetricStats {
  metricId: string;
  name: string | null;
  description: string | null;
  tags: string[];
  metadata: PlainObject | null;
  totalDataPoints: string;
  bufferedDataPoints: string;
  chunkedDataPoints: string;
  totalChunks: number;
  chunkSize: number;
  firstDataAt: string | null;
  lastDataAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One entry of `metrics.list()`. */
export interface MetricSummary {
  metricId: string;
  name: string | null;
  description: string | null;
  tags: string[];
  totalDataPoints: string;
  createdAt: string;
}

/** A track entry as read back: `{ timestamp, ...data }`. */
export type TrackRecord = { timestamp: number } & Record<string, PlainValue>;

/** A stored log line. */
export interface StoredLog {
  sequenceNumber: number;
  timestamp: string;
  level: string;
  message: string;
  metadata?: PlainObject;
}

/** Options of a track read. */
export interface TrackReadOptions {
  /** Inclusive lower bound (seconds). */
  readonly start?: number | undefined;
  /** Inclusive upper bound (seconds). */
  readonly end?: number | undefined;
  /** Keep only these columns (plus `timestamp`). */
  readonly columns?: readonly string[] | undefined;
}

/** Read access to an experiment's stored data. */
export interface Reader {
  readMetric(name: string | null, startIndex: number, limit: number): Promise<MetricPage>;
  metricStats(name: string | null): Promise<MetricStats>;
  listMetrics(): Promise<MetricSummary[]>;
  readTrack(topic: string, options: TrackReadOptions): Promise<TrackRecord[]>;
  readLogs(startSequence: number, limit: number): Promise<StoredLog[]>;
}
