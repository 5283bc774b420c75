/**
 * Summaries of one y field (against one x field) per {@link BLOCK_ROWS} rows, so a downsampled
 * read combines one entry per 64 rows instead of scanning every row: a 1M-point chart of 512
 * buckets reads 15.6k entries, not 1M rows (and counts what it cannot draw the same way).
 *
 * An entry holds what `downsample.ts` keeps of a bucket: the rows of its first minimum and first
 * maximum, of its first non-finite value, and the non-finite and non-numeric counts. Rows whose x
 * is not a finite number are left out, as a bucket leaves them out. Entries cover whole blocks of
 * 64 rows; a summary is built on first use and extended as rows are appended. Scanned rows never
 * change (a rewritten file gets new columns), so a summary never goes stale. Summaries live on
 * their {@link MetricColumns}, so they are evicted with them.
 */
import { Cell, type FieldColumn, type MetricColumns } from "./metric-columns.ts";

/** Rows per summary entry (bucket widths are powers of two: at least this wide, they align). */
export const BLOCK_ROWS = 64;

/** The running extremes of a bucket, in row order (the first occurrence wins a tie). */
export interface Extremes {
  minV: number;
  minR: number;
  maxV: number;
  maxR: number;
  gapR: number;
}

/** A fresh accumulator. */
export function extremes(): Extremes {
  return { minV: Infinity, minR: -1, maxV: -Infinity, maxR: -1, gapR: -1 };
}

/** Adds rows `[lo, hi)` to `acc` (rows whose y is not a number, or x not a finite number, are skipped). */
export function addRows(acc: Extremes, yf: FieldColumn, xf: FieldColumn | null, lo: number, hi: number): void {
  const ys = yf.values;
  const yk = yf.kinds;
  const xk = xf ? xf.kinds : null;
  const xs = xf ? xf.values : ys;
  for (let r = lo; r < hi; r++) {
    if (yk[r] !== Cell.Number) continue;
    if (xk !== null) {
      const xv = xs[r] as number;
      if (xk[r] !== Cell.Number || xv - xv !== 0) continue;
    }
    const v = ys[r] as number;
    if (v - v !== 0) {
      if (acc.gapR < 0) acc.gapR = r;
      continue;
    }
    if (v < acc.minV) {
      acc.minV = v;
      acc.minR = r;
    }
    if (v > acc.maxV) {
      acc.maxV = v;
      acc.maxR = r;
    }
  }
}

/** Counts of values that cannot be drawn. */
export interface Undrawable {
  nonFinite: number;
  nonNumeric: number;
}

/** Adds the undrawable values of rows `[lo, hi)` of `yf` to `acc`. */
export function countRows(acc: Undrawable, yf: FieldColumn, lo: number, hi: number): void {
  const { values, kinds } = yf;
  for (let r = lo; r < hi; r++) {
    const k = kinds[r];
    if (k === Cell.Number) {
      const v = values[r] as number;
      if (v - v !== 0) acc.nonFinite++;
    } else if (k === Cell.Other) acc.nonNumeric++;
  }
}

/** The entries of one (y, x) pair over rows `[0, rows)`. */
export class BucketSummary {
  /** Rows covered (a multiple of {@link BLOCK_ROWS}). */
  rows = 0;
  private minV = new Float64Array(0);
  private maxV = new Float64Array(0);
  private minR = new Int32Array(0);
  private maxR = new Int32Array(0);
  private gapR = new Int32Array(0);
  private nonFinite = new Uint8Array(0);
  private nonNumeric = new Uint8Array(0);

  constructor(
    private readonly yf: FieldColumn,
    private readonly xf: FieldColumn | null,
  ) {}

  /** Approximate heap bytes held. */
  get heapBytes(): number {
    return this.minV.length * 31;
  }

  /** Covers every whole block of rows below `rows`. */
  extend(rows: number): void {
    const entries = Math.floor(rows / BLOCK_ROWS);
    const have = this.rows / BLOCK_ROWS;
    if (entries <= have) return;
    if (entries > this.minV.length) this.grow(Math.max(entries, this.minV.length * 2, 64));
    const acc = extremes();
    const count: Undrawable = { nonFinite: 0, nonNumeric: 0 };
    for (let e = have; e < entries; e++) {
      acc.minV = Infinity;
      acc.maxV = -Infinity;
      acc.minR = acc.maxR = acc.gapR = -1;
      count.nonFinite = count.nonNumeric = 0;
      const lo = e * BLOCK_ROWS;
      addRows(acc, this.yf, this.xf, lo, lo + BLOCK_ROWS);
      countRows(count, this.yf, lo, lo + BLOCK_ROWS);
      this.minV[e] = acc.minV;
      this.maxV[e] = acc.maxV;
      this.minR[e] = acc.minR;
      this.maxR[e] = acc.maxR;
      this.gapR[e] = acc.gapR;
      this.nonFinite[e] = count.nonFinite;
      this.nonNumeric[e] = count.nonNumeric;
    }
    this.rows = entries * BLOCK_ROWS;
  }

  /**
   * Adds rows `[lo, hi)` to `acc`: the whole blocks inside from their entries, the rest row by
   * row (so the result is what {@link addRows} gives over the same rows).
   */
  addRange(acc: Extremes, lo: number, hi: number): void {
    const a = Math.min(hi, Math.ceil(lo / BLOCK_ROWS) * BLOCK_ROWS);
    const b = Math.max(a, Math.min(Math.floor(hi / BLOCK_ROWS) * BLOCK_ROWS, this.rows));
    addRows(acc, this.yf, this.xf, lo, a);
    for (let e = a / BLOCK_ROWS, end = b / BLOCK_ROWS; e < end; e++) {
      const minR = this.minR[e] as number;
      if (minR >= 0 && (this.minV[e] as number) < acc.minV) {
        acc.minV = this.minV[e] as number;
        acc.minR = minR;
      }
      const maxR = this.maxR[e] as number;
      if (maxR >= 0 && (this.maxV[e] as number) > acc.maxV) {
        acc.maxV = this.maxV[e] as number;
        acc.maxR = maxR;
      }
      if (acc.gapR < 0) acc.gapR = this.gapR[e] as number;
    }
    addRows(acc, this.yf, this.xf, b, hi);
  }

  /** Adds the undrawable values of rows `[lo, hi)` to `acc` (as {@link countRows} would). */
  countRange(acc: Undrawable, lo: number, hi: number): void {
    const a = Math.min(hi, Math.ceil(lo / BLOCK_ROWS) * BLOCK_ROWS);
    const b = Math.max(a, Math.min(Math.floor(hi / BLOCK_ROWS) * BLOCK_ROWS, this.rows));
    countRows(acc, this.yf, lo, a);
    for (let e = a / BLOCK_ROWS, end = b / BLOCK_ROWS; e < end; e++) {
      acc.nonFinite += this.nonFinite[e] as number;
      acc.nonNumeric += this.nonNumeric[e] as number;
    }
    countRows(acc, this.yf, b, hi);
  }

  private grow(size: number): void {
    const n = this.rows / BLOCK_ROWS;
    const f64 = (old: Float64Array) => {
      const a = new Float64Array(size);
      a.set(old.subarray(0, n));
      return a;
    };
    const i32 = (old: Int32Array) => {
      const a = new Int32Array(size);
      a.set(old.subarray(0, n));
      return a;
    };
    const u8 = (old: Uint8Array) => {
      const a = new Uint8Array(size);
      a.set(old.subarray(0, n));
      return a;
    };
    this.minV = f64(this.minV);
    this.maxV = f64(this.maxV);
    this.minR = i32(this.minR);
    this.maxR = i32(this.maxR);
    this.gapR = i32(this.gapR);
    this.nonFinite = u8(this.nonFinite);
    this.nonNumeric = u8(this.nonNumeric);
  }
}

/** The summary of `yf` against `xf` (null: x is the row index) over `cols`' rows (the first `upTo`). */
export function summaryOf(cols: MetricColumns, yf: FieldColumn, xf: FieldColumn | null, upTo = cols.rows): BucketSummary {
  const key = `${yf.pos}|${xf ? xf.pos : -1}`;
  // The map is typed by what the columns need of it (their byte count), to keep imports one-way.
  let s = cols.summaries.get(key) as BucketSummary | undefined;
  if (!s) {
    s = new BucketSummary(yf, xf);
    cols.summaries.set(key, s);
  }
  s.extend(Math.min(upTo, cols.rows));
  return s;
}
