/**
 * Columnar copy of one metric's `data.jsonl`, built by scanning the file and extended as it
 * grows: one `Float64Array` of values and one `Uint8Array` of cell kinds per data field, plus the
 * byte offset of every {@link OFFSET_STRIDE}-th line so a window of raw lines can be re-read
 * exactly. Row `r` is line `r` of the file, which is point `index` r (ML-Dash numbers points by
 * line, gap-free).
 */

/** Cell kinds: the field is absent on that row, holds a number (finite or not), or something else. */
export const Cell = { Missing: 0, Number: 1, Other: 2 } as const;

/** Lines between two remembered byte offsets. */
export const OFFSET_STRIDE = 1024;

/** One data field of a metric. */
export interface FieldColumn {
  readonly name: string;
  /** The name's UTF-8 bytes (what the scanner compares against). */
  readonly key: Uint8Array;
  /** Position in {@link MetricColumns.fields}. */
  readonly pos: number;
  values: Float64Array;
  kinds: Uint8Array;
  /** Non-decreasing over the rows where it is a finite number (lets a window be found by bisection). */
  monotonic: boolean;
  /** Last finite value seen (to maintain `monotonic`). */
  last: number;
}

/** The columns of one metric file. */
export class MetricColumns {
  /** Rows (complete lines) scanned so far. */
  rows = 0;
  /** Bytes of the file consumed (always at a line boundary). */
  bytes = 0;
  /** Lines that were not a metric record (a torn or foreign line): their cells stay missing. */
  skipped = 0;
  /** `offsets[k]` = byte offset of line `k * OFFSET_STRIDE`. */
  offsets: number[] = [];
  readonly fields: FieldColumn[] = [];
  private readonly byName = new Map<string, FieldColumn>();
  /** Rows the columns can hold without growing. */
  capacity = 0;
  /** Per-64-row summaries of (y, x) pairs that were charted (`bucket-summary.ts`), by `yPos|xPos`. */
  readonly summaries = new Map<string, { readonly heapBytes: number }>();

  /** The column of `name`, created (all missing so far) when first seen. */
  field(name: string): FieldColumn {
    let f = this.byName.get(name);
    if (!f) {
      f = { name, key: new TextEncoder().encode(name), pos: this.fields.length, values: new Float64Array(this.capacity), kinds: new Uint8Array(this.capacity), monotonic: true, last: -Infinity };
      this.byName.set(name, f);
      this.fields.push(f);
    }
    return f;
  }

  /** The column of `name`, if any row has it. */
  get(name: string): FieldColumn | undefined {
    return this.byName.get(name);
  }

  /**
   * Makes room for `rows` rows in total: at least double the room (appends stay amortised O(1)),
   * or exactly `rows` when `exact` (a size estimated for a whole file: a 10M-row file rounded up
   * to the next power of two held 16.7M rows, 450 MB for three fields).
   */
  reserve(rows: number, exact = false): void {
    if (rows <= this.capacity) return;
    const cap = exact ? rows : Math.max(rows, this.capacity * 2, 1024);
    for (const f of this.fields) {
      const v = new Float64Array(cap);
      v.set(f.values.subarray(0, this.rows));
      const k = new Uint8Array(cap);
      k.set(f.kinds.subarray(0, this.rows));
      f.values = v;
      f.kinds = k;
    }
    this.capacity = cap;
  }

  /** Stores a number in row `row`. */
  setNumber(f: FieldColumn, row: number, v: number): void {
    f.values[row] = v;
    f.kinds[row] = Cell.Number;
    if (v - v === 0) {
      if (v < f.last) f.monotonic = false;
      f.last = v;
    }
  }

  /** Marks row `row` as holding a non-numeric value (string, boolean, null, list…). */
  setOther(f: FieldColumn, row: number): void {
    f.values[row] = NaN;
    f.kinds[row] = Cell.Other;
  }

  /** Approximate heap bytes held (for the cache's budget). */
  get heapBytes(): number {
    let summaries = 0;
    for (const s of this.summaries.values()) summaries += s.heapBytes;
    return this.fields.length * this.capacity * 9 + this.offsets.length * 8 + summaries;
  }
}
