/**
 * A loaded range of a track: iterable, with a `findByTime` floor match (the entry with the
 * largest timestamp ≤ t) that is fast for sequential queries.
 */
import type { TrackRecord } from "../../model/backend.ts";
import { NotFoundError } from "../../errors.ts";

/** Entries of a track between two timestamps, sorted by timestamp. */
export class TrackSlice implements Iterable<TrackRecord> {
  /** The entries, sorted by timestamp (stable for equal timestamps). */
  readonly entries: readonly TrackRecord[];
  private readonly times: Float64Array;
  private cursor = 0;

  constructor(
    readonly topic: string,
    entries: readonly TrackRecord[],
    readonly start?: number,
    readonly end?: number,
  ) {
    // Files are sorted only within a batch; sort here so the floor match is always right.
    this.entries = [...entries].sort((a, b) => a.timestamp - b.timestamp);
    this.times = Float64Array.from(this.entries, (e) => e.timestamp);
  }

  /** Number of entries. */
  get length(): number {
    return this.entries.length;
  }

  [Symbol.iterator](): Iterator<TrackRecord> {
    return this.entries[Symbol.iterator]();
  }

  /**
   * The entry with the largest timestamp ≤ `t` (after the last entry: the last entry). For an
   * array of times, an array of entries. Throws {@link NotFoundError} when the slice is empty or
   * `t` is before the first entry.
   *
   * @example slice.findByTime(5.5); slice.findByTime([1, 3.5]);
   */
  findByTime(t: number): TrackRecord;
  findByTime(ts: readonly number[]): TrackRecord[];
  findByTime(t: number | readonly number[]): TrackRecord | TrackRecord[] {
    if (Array.isArray(t)) return t.map((x) => this.floor(x));
    return this.floor(t as number);
  }

  /** `TrackSlice(topic, n entries, [t0, t1])`. */
  toString(): string {
    const n = this.times.length;
    const range = n > 0 ? `[${this.times[0]}, ${this.times[n - 1]}]` : "[]";
    return `TrackSlice(${this.topic}, ${n} entries, ${range})`;
  }

  private floor(t: number): TrackRecord {
    const ts = this.times;
    const n = ts.length;
    if (n === 0) throw new NotFoundError(`No entries in track slice of "${this.topic}"`);
    if (typeof t !== "number" || Number.isNaN(t)) throw new NotFoundError(`findByTime needs a number, got ${String(t)}`);
    if (t < (ts[0] as number)) {
      throw new NotFoundError(`No entry of "${this.topic}" found with timestamp <= ${t}. Earliest timestamp: ${ts[0]}`);
    }
    // Fast path: the cursor or its neighbour (sequential queries, e.g. scrubbing forward).
    const c = this.cursor;
    if ((ts[c] as number) <= t && (c + 1 >= n || (ts[c + 1] as number) > t)) return this.hit(c);
    if (c + 1 < n && (ts[c + 1] as number) <= t && (c + 2 >= n || (ts[c + 2] as number) > t)) return this.hit(c + 1);
    // Binary search: last index with ts[i] <= t.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((ts[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.hit(lo);
  }

  private hit(i: number): TrackRecord {
    // With equal timestamps, return the last of them (Python's bisect_right - 1).
    const ts = this.times;
    while (i + 1 < ts.length && ts[i + 1] === ts[i]) i++;
    this.cursor = i;
    return this.entries[i] as TrackRecord;
  }
}
