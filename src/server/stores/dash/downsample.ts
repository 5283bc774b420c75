/**
 * Min/max downsampling of one metric field (its scanned columns) in buckets that stay put as
 * points are appended (the bucket rules are in `src/server/store/series.ts`, with `bucketWidth`).
 * Each bucket keeps its min and max in row order, so spikes survive; a bucket holding
 * NaN/±Infinity also yields a `null` (a gap) at the first such row. The window's first and last
 * points are always included.
 */
import type { SeriesPoints } from "../../store/series.ts";
import { addRows, type BucketSummary, countRows, extremes, BLOCK_ROWS, type Undrawable } from "./bucket-summary.ts";
import { Cell, type FieldColumn, type MetricColumns } from "./metric-columns.ts";

/** What to compute. */
export interface BucketQuery {
  /** Rows `[start, end)` to cover. */
  readonly start: number;
  readonly end: number;
  /** First row whose bucket is returned (aligned down to a bucket start). Default `start`. */
  readonly from?: number;
  /** Bucket width (a power of two; 1 = every point). */
  readonly width: number;
}


/** True when row `r` has a usable x (always, for x = row index). */
function hasX(xf: FieldColumn | null, r: number): boolean {
  if (!xf) return true;
  if (xf.kinds[r] !== Cell.Number) return false;
  const v = xf.values[r] as number;
  return v - v === 0;
}

/**
 * Min/max points of the buckets from `q.from` to `q.end`. With a `summary` of the same fields
 * (and buckets at least {@link BLOCK_ROWS} wide) whole blocks of rows come from it: the points
 * are the same, found in 1/64 of the steps.
 */
export function minMaxBuckets(yf: FieldColumn, xf: FieldColumn | null, q: BucketQuery, summary?: BucketSummary): SeriesPoints {
  const out: SeriesPoints = { i: [], x: [], y: [] };
  const { start, end, width } = q;
  const from = Math.max(start, Math.floor((q.from ?? start) / width) * width);
  const ys = yf.values;
  const yk = yf.kinds;
  const useSummary = summary !== undefined && width >= BLOCK_ROWS;
  const acc = extremes();
  const picks: number[] = [];
  for (let b0 = Math.floor(from / width) * width; b0 < end; b0 += width) {
    const lo = Math.max(b0, start);
    const hi = Math.min(b0 + width, end);
    acc.minV = Infinity;
    acc.maxV = -Infinity;
    acc.minR = acc.maxR = acc.gapR = -1;
    if (useSummary) summary.addRange(acc, lo, hi);
    else addRows(acc, yf, xf, lo, hi);
    picks.length = 0;
    if (lo === start) pushFirstValid(picks, yk, xf, start, hi);
    if (acc.minR >= 0) picks.push(acc.minR);
    if (acc.maxR >= 0) picks.push(acc.maxR);
    if (acc.gapR >= 0) picks.push(acc.gapR);
    if (hi === end) pushLastValid(picks, yk, xf, lo, end);
    picks.sort((a, b) => a - b);
    let prev = -1;
    for (const r of picks) {
      if (r === prev) continue;
      prev = r;
      const v = ys[r] as number;
      out.i.push(r);
      out.x.push(xf ? (xf.values[r] as number) : r);
      out.y.push(v - v === 0 ? v : null);
    }
  }
  return out;
}

function pushFirstValid(picks: number[], yk: Uint8Array, xf: FieldColumn | null, lo: number, hi: number): void {
  for (let r = lo; r < hi; r++) {
    if (yk[r] === Cell.Number && hasX(xf, r)) {
      picks.push(r);
      return;
    }
  }
}

function pushLastValid(picks: number[], yk: Uint8Array, xf: FieldColumn | null, lo: number, hi: number): void {
  for (let r = hi - 1; r >= lo; r--) {
    if (yk[r] === Cell.Number && hasX(xf, r)) {
      picks.push(r);
      return;
    }
  }
}

/** Counts of values that cannot be drawn in rows `[start, end)` (whole blocks from `summary` when given). */
export function countUndrawable(yf: FieldColumn, start: number, end: number, summary?: BucketSummary): Undrawable {
  const acc: Undrawable = { nonFinite: 0, nonNumeric: 0 };
  if (summary) summary.countRange(acc, start, end);
  else countRows(acc, yf, start, end);
  return acc;
}

/**
 * Rows `[start, end)` whose x lies in `[xmin, xmax]`, widened by one row on each side so lines
 * run to the edges of a zoomed chart. For x = row index this is arithmetic; for a field it is a
 * scan (a few ms for 1M rows), which also handles fields that are not monotonic.
 */
export function windowRows(cols: MetricColumns, xf: FieldColumn | null, xmin: number | undefined, xmax: number | undefined): [number, number] {
  const n = cols.rows;
  if (xmin === undefined && xmax === undefined) return [0, n];
  const lo = xmin ?? -Infinity;
  const hi = xmax ?? Infinity;
  if (!xf) {
    const s = Math.max(0, Math.ceil(lo) - 1);
    const e = Math.min(n, Math.floor(hi) + 2);
    return [Math.min(s, e), e];
  }
  let s = -1;
  let e = -1;
  for (let r = 0; r < n; r++) {
    if (xf.kinds[r] !== Cell.Number) continue;
    const v = xf.values[r] as number;
    if (v >= lo && v <= hi) {
      if (s < 0) s = r;
      e = r + 1;
    }
  }
  if (s < 0) return [0, 0];
  return [Math.max(0, s - 1), Math.min(n, e + 1)];
}
