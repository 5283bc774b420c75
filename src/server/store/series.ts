/**
 * Chart series of a metric: `metric.field` against an x key, downsampled to min/max buckets or
 * raw, whole or a zoomed window, from scratch or incrementally (`since`).
 *
 * Bucket `k` of width `w` always covers rows `[k·w, (k+1)·w)`, with `w` the smallest power of
 * two that fits the window into `bins` buckets: appending points only changes the last bucket
 * (until the count doubles and `w` with it), so a client that holds the series up to row `n`
 * asks again from `⌊n/w⌋·w` and keeps the rest. A store may answer from per-chunk summaries: a
 * 10M-point series opens without reading 10M points.
 */

/** X keys tried, in order, for `x=default` (ML-Dash: timestamp → step → epoch → index). */
export const DEFAULT_X = ["_ts", "step", "epoch"] as const;

/** X keys tried, in order, for `x=auto` (the dashboard's default: step → epoch → index). */
export const AUTO_X = ["step", "epoch"] as const;

/** A series request (the query string of `GET /dash/api/series`). */
export interface SeriesRequest {
  /** The y field of the metric. */
  readonly y: string;
  /** `index`, `default`, `auto`, or a field of the same metric (`step`, `epoch`, `_ts`, …). */
  readonly x: string;
  /** Target number of buckets (≈ chart width in px). */
  readonly bins: number;
  readonly xmin?: number | undefined;
  readonly xmax?: number | undefined;
  /** Rows the client already has (its `nextIndex`); with `bucketWidth`, only newer buckets come back. */
  readonly since?: number | undefined;
  /** The bucket width of the client's copy. */
  readonly bucketWidth?: number | undefined;
}

/** Points as parallel columns. `y` is `null` where the value is NaN or ±Infinity (a gap). */
export interface SeriesPoints {
  i: number[];
  x: number[];
  y: (number | null)[];
}

/** The answer. Points with `i >= from` replace the client's; `reset` means replace everything. */
export interface SeriesResponse extends SeriesPoints {
  field: string;
  /** The x key used (`index` or a field name). */
  xKey: string;
  /** Rows of the metric. */
  total: number;
  /** What to send as `since` next time. */
  nextIndex: number;
  from: number;
  reset: boolean;
  bucketWidth: number;
  downsampled: boolean;
  /** Values came from an exact re-read of the stored points. */
  exact: boolean;
  /** Rows `[start, end)` covered. */
  window: [number, number];
  /** NaN/±Infinity values of `y` in the window (drawn as gaps). */
  nonFinite: number;
  /** Non-numeric values of `y` in the window (not drawn). */
  nonNumeric: number;
  /** Every field of the metric. */
  fields: string[];
}

/** One metric, ready to answer series requests. */
export interface SeriesSource {
  /** Changes whenever points are added (an ETag's material, known before any series is computed). */
  readonly revision: string;
  /** Computes a series. */
  query(request: SeriesRequest): Promise<SeriesResponse>;
}

/** The bucket width for `count` rows and a target of `bins` buckets: a power of two ≥ 1. */
export function bucketWidth(count: number, bins: number): number {
  let w = 1;
  while (Math.ceil(count / w) > bins) w *= 2;
  return w;
}
