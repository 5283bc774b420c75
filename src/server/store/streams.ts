/**
 * The record streams of an experiment in a {@link RunStore}: its log, its metrics and its
 * tracks. Records of a stream are numbered from 0 without gaps (metric points by `index`, log
 * lines by `sequenceNumber`, track entries by arrival), which is what makes appends exactly-once:
 * a batch that says where it starts is stored only past the stream's end.
 */
import type { MetricPage, MetricStats, MetricSummary, StoredLog, TrackReadOptions, TrackRecord } from "../../model/backend.ts";
import type { BatchData, StreamId, StreamInfo } from "../../model/batch.ts";
import type { PlainValue } from "../../model/values.ts";
import type { CreatedRuns } from "../../model/created-at.ts";
import type { ExperimentRef } from "./records.ts";

/** How a batch is appended. */
export interface AppendOptions {
  /**
   * Where the batch starts. Records before the stream's end are skipped (a retry whose answer
   * was lost), the rest stored; a start past the end stores nothing and throws a
   * `StreamGapError` carrying `nextIndex`. Without it the batch goes at the end.
   */
  readonly start?: number | undefined;
  /**
   * Who writes, when the client names itself (many writers on one stream). `start` is then in
   * the writer's own numbering: the records before where this writer's earlier batches ended
   * are skipped (a retry), the rest go at the stream's end whoever else appended meanwhile, and
   * a start past the writer's end is a `StreamGapError` carrying the writer's end. A writer's
   * first batch is taken at whatever start it claims. Without a writer, `start` is a position
   * in the stream (one writer; the SDK's requests before writer ids).
   */
  readonly writer?: string | undefined;
  /** The request's idempotency key; stores may use it to recognise a replay. */
  readonly idempotencyKey?: string | undefined;
  /** Describes the stream when this append creates it (the first append wins). */
  readonly info?: StreamInfo | undefined;
  /** When the records were first stored (an upload's copy), covering the whole batch; stores that cannot keep it store now. */
  readonly createdAt?: CreatedRuns | undefined;
}

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
  /** With {@link AppendOptions.writer}: where the writer's own numbering ends after the append. */
  readonly writerNext?: number | undefined;
}

/** Where a stream ends. */
export interface StreamPosition {
  readonly stream: StreamId;
  /** The number the next record gets (= records held). */
  readonly next: number;
}

/** A track's description, as ML-Dash keeps it (extra keys a writer added are kept). */
export interface TrackInfo {
  readonly topic: string;
  readonly trackId?: string;
  readonly columns?: string[];
  readonly totalEntries?: number;
  readonly firstTimestamp?: number | null;
  readonly lastTimestamp?: number | null;
  readonly createdAt?: string;
  readonly [extra: string]: PlainValue | undefined;
}

/** Which log lines, in which order. Every filter is optional; lines are in sequence order. */
export interface LogQuery {
  /** Lines with `sequenceNumber >= fromSequence`. */
  readonly fromSequence?: number | undefined;
  /** Lines whose stored level is one of these (exact: pass `warning` too to match it). */
  readonly levels?: readonly string[] | undefined;
  /** Case-insensitive substring of the message. */
  readonly search?: string | undefined;
  /** Also match `search` in the line's metadata (as JSON). */
  readonly searchMetadata?: boolean | undefined;
  /** Inclusive time bounds: ISO 8601 UTC timestamps (microseconds, as stored) or epoch milliseconds. */
  readonly from?: string | number | undefined;
  readonly to?: string | number | undefined;
  /** `desc`: newest first (paging applies after). Default `asc`. */
  readonly order?: "asc" | "desc" | undefined;
  /** Matches skipped before the page. Default 0. */
  readonly offset?: number | undefined;
  /** Most lines returned. Default: all. */
  readonly limit?: number | undefined;
  /** The last `limit` matches instead (a long run's newest lines), `offset` ignored. */
  readonly tail?: boolean | undefined;
}

/** A page of log lines. */
export interface LogPage {
  readonly logs: StoredLog[];
  /** Lines that matched (before paging). */
  readonly matched: number;
  /** Lines stored. */
  readonly total: number;
  /** Stored lines per level (every line, unfiltered). */
  readonly counts: Record<string, number>;
  /** The sequence number the next line will get. */
  readonly nextSequence: number;
  /** Timestamps of the first and last stored lines. */
  readonly first: string | null;
  readonly last: string | null;
  /** Changes whenever lines are added (an ETag's material). */
  readonly revision: string;
}

/** Appends and reads of logs, metrics and tracks. */
export interface RunStoreStreams {
  /** Appends a batch of `stream`'s records, exactly once when it says where it starts (see {@link AppendOptions.start}). */
  append(experiment: ExperimentRef, stream: StreamId, data: BatchData, options?: AppendOptions): Promise<Appended>;
  /** Where each stream of the experiment ends. */
  streams(experiment: ExperimentRef): Promise<StreamPosition[]>;
  /** Where writer `writer`'s own numbering ends in each stream it appended to (see {@link AppendOptions.writer}). */
  writerStreams(experiment: ExperimentRef, writer: string): Promise<StreamPosition[]>;
  /** Points `[startIndex, startIndex + limit)` of metric `name` (null = the unnamed metric). */
  metricPage(experiment: ExperimentRef, name: string | null, startIndex: number, limit: number): Promise<MetricPage>;
  /** A metric's description and counts; `NotFoundError` for a metric never logged. */
  metricStats(experiment: ExperimentRef, name: string | null): Promise<MetricStats>;
  /** Every metric of the experiment. */
  metrics(experiment: ExperimentRef): Promise<MetricSummary[]>;
  /** Entries of a track in stored order, within the options' time range, optionally only some columns. */
  trackEntries(experiment: ExperimentRef, topic: string, options: TrackReadOptions): Promise<TrackRecord[]>;
  /** Every track's description (only `topic`'s when given). */
  tracks(experiment: ExperimentRef, options?: { readonly topic?: string | undefined }): Promise<TrackInfo[]>;
  /** Log lines matching `query`. */
  logs(experiment: ExperimentRef, query?: LogQuery): Promise<LogPage>;
}

/** The number of records a batch holds. */
export function batchLength(data: BatchData): number {
  if (data.kind !== "metric") return data.records.length;
  let n = 0;
  for (const b of data.blocks) n += b.length;
  return n;
}
