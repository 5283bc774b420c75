/**
 * The records that flow from the write API through the buffer to the backends, and the
 * batches they travel in. Every stream (the log, one metric, one track) is an ordered sequence
 * with a durable cursor: the next metric index, log sequence number or track entry number.
 * A batch is `(stream, first, records)`, so a backend can recognise a batch it already holds.
 */
import type { MetricBlock } from "./metric-block.ts";
import { blockRow } from "./metric-block.ts";
import type { PlainObject, PlainValue } from "./values.ts";
import type { StreamId } from "./stream-id.ts";
import type { CreatedRuns } from "./created-at.ts";

export { streamId, type StreamId, type StreamKind } from "./stream-id.ts";

/** Log levels, as ML-Dash stores them. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "fatal";

/** One log line before it gets its sequence number. */
export interface LogRecord {
  /** Epoch milliseconds (with a sub-ms fraction) when `log()` was called. */
  readonly timeMs: number;
  /**
   * The timestamp exactly as stored (`isoMicros` text), when the record comes from a stored line
   * or a request body rather than from `log()`: re-deriving it from `timeMs` could lose a
   * microsecond to float rounding.
   */
  readonly iso?: string;
  readonly level: LogLevel;
  readonly message: string;
  readonly metadata: PlainObject | undefined;
}

/** One metric data point: the logged values plus `_ts`. */
export type MetricPoint = PlainObject;

/** One track entry: its timestamp (seconds) and flattened data. */
export interface TrackEntry {
  readonly timestamp: number;
  /** The timestamp's text when a copy must keep it (`10.0`, which would be written `10`). */
  readonly timestampText?: string | undefined;
  readonly data: Record<string, PlainValue>;
}

/** The records of a batch, by stream kind. Metric points travel as columnar blocks. */
export type BatchData =
  | { readonly kind: "log"; readonly records: readonly LogRecord[] }
  | { readonly kind: "metric"; readonly blocks: readonly MetricBlock[] }
  | { readonly kind: "track"; readonly records: readonly TrackEntry[] };

/** Descriptive fields fixed when a metric or track is first created (the first call wins). */
export interface StreamInfo {
  readonly description?: string | null;
  readonly tags?: readonly string[];
  readonly metadata?: PlainObject | null;
}

/** Records of one stream, numbered from `first`. Batches are never re-cut once sealed. */
export interface Batch {
  readonly stream: StreamId;
  /** Index (metrics), sequence number (logs) or entry number (tracks) of the first record. */
  first: number;
  /** Number of records. */
  readonly count: number;
  readonly data: BatchData;
  /** When the batch was sealed (epoch ms). */
  readonly sealedMs: number;
  /** Bytes the records hold in memory (estimate). */
  readonly bytes: number;
  /** Descriptive fields of the stream (used when the stream is first created). */
  readonly info: StreamInfo | undefined;
  /**
   * When the records were first stored, for a copy (`ml-dash upload`, hybrid catch-up, the
   * server storing such a batch): metric lines get these `createdAt` times instead of now.
   */
  readonly createdAt?: CreatedRuns | undefined;
}

/** The points of a metric batch as objects (`{...data, _ts}`), for consumers that want rows. */
export function metricPoints(batch: Batch): MetricPoint[] {
  if (batch.data.kind !== "metric") throw new TypeError(`metricPoints() needs a metric batch, got ${batch.data.kind}`);
  const out: MetricPoint[] = [];
  for (const b of batch.data.blocks) for (let i = 0; i < b.length; i++) out.push(blockRow(b, i));
  return out;
}
