/**
 * Columnar storage for metric points. Points whose values are all numbers and whose keys come
 * in the same order as the previous point's (the usual training loop) are written into
 * Float64Array columns: no object per point, no garbage, 8 bytes per value. Anything else is
 * kept as a row object. A metric's waiting points are a list of such blocks, in order.
 */
import type { PlainObject } from "./values.ts";

/** Most rows in one column block before a new block starts. */
export const MAX_BLOCK_ROWS = 16_384;

/** Points with one key layout, stored as columns. `length` rows are valid. */
export interface ColumnBlock {
  readonly kind: "cols";
  /** Data keys in order (without `_ts`). */
  readonly keys: readonly string[];
  /** One column per key. */
  cols: Float64Array[];
  /** The `_ts` of each row (seconds). */
  ts: Float64Array;
  length: number;
}

/** Points kept as objects (non-numeric values, or a one-off key layout). Each includes `_ts`. */
export interface RowBlock {
  readonly kind: "rows";
  readonly rows: PlainObject[];
  length: number;
}

/** A run of consecutive points of one metric. */
export type MetricBlock = ColumnBlock | RowBlock;

/** Rows of a new column block when nothing says how many are coming. */
export const MIN_BLOCK_ROWS = 16;

/** Gives a column of `length` rows (the write path reuses spare buffers: src/internal/spare-buffers.ts). */
export type ColumnAlloc = (length: number) => Float64Array;

const fresh: ColumnAlloc = (n) => new Float64Array(n);

/** A new column block for `keys`, with room for `capacity` rows. */
export function newColumnBlock(keys: readonly string[], capacity = MIN_BLOCK_ROWS, alloc = fresh): ColumnBlock {
  return { kind: "cols", keys, cols: keys.map(() => alloc(capacity)), ts: alloc(capacity), length: 0 };
}

/** Doubles the capacity of a full block (amortised O(1) per row), up to `max` rows. Returns false at `max`. */
export function growColumnBlock(b: ColumnBlock, max: number, alloc = fresh): boolean {
  const cap = b.ts.length;
  if (cap >= max) return false;
  const next = Math.min(max, cap * 2);
  const grow = (a: Float64Array): Float64Array => {
    const g = alloc(next);
    g.set(a);
    return g;
  };
  b.cols = b.cols.map(grow);
  b.ts = grow(b.ts);
  return true;
}

/** Row `i` of a block as a point object (`{...data, _ts}`). */
export function blockRow(b: MetricBlock, i: number): PlainObject {
  if (b.kind === "rows") return b.rows[i] as PlainObject;
  const p: PlainObject = {};
  for (let j = 0; j < b.keys.length; j++) p[b.keys[j] as string] = (b.cols[j] as Float64Array)[i] as number;
  p["_ts"] = b.ts[i] as number;
  return p;
}

/** Splits blocks into consecutive runs of at most `max` rows each (views, no copies of the data). */
export function splitBlocks(blocks: readonly MetricBlock[], max: number): MetricBlock[][] {
  const out: MetricBlock[][] = [];
  let cur: MetricBlock[] = [];
  let n = 0;
  for (const b of blocks) {
    let start = 0;
    while (start < b.length) {
      const take = Math.min(b.length - start, max - n);
      cur.push(sliceBlock(b, start, start + take));
      n += take;
      start += take;
      if (n === max) {
        out.push(cur);
        cur = [];
        n = 0;
      }
    }
  }
  if (n > 0) out.push(cur);
  return out;
}

/** Rows `[start, end)` of a block, sharing the underlying memory. */
export function sliceBlock(b: MetricBlock, start: number, end: number): MetricBlock {
  if (start === 0 && end === b.length) return b;
  if (b.kind === "rows") return { kind: "rows", rows: b.rows.slice(start, end), length: end - start };
  return { kind: "cols", keys: b.keys, cols: b.cols.map((c) => c.subarray(start, end)), ts: b.ts.subarray(start, end), length: end - start };
}

/** Calls `fn` with every column array (times included) of the column blocks among `blocks`. */
export function forEachColumn(blocks: readonly MetricBlock[], fn: (c: Float64Array) => void): void {
  for (const b of blocks) {
    if (b.kind !== "cols") continue;
    for (const c of b.cols) fn(c);
    fn(b.ts);
  }
}
