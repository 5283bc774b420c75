/**
 * Buffers given back after use, kept for reuse up to a byte budget: a metric's column blocks
 * once their batches are stored, the column copies encoder workers send back, and the encoder
 * pool's output arrays once a synchronous append has stored them. A fast loop otherwise
 * allocated ~2.5 MB per 10,000 points (columns, their copy, the bytes) that lived until a GC
 * of the thread that last held them, much of it in the old generation (a full GC). Measured at
 * 10M points in Node: peak RSS 217-242 → 162-174 MB, 1.3-1.4M → 1.5-1.7M points/s.
 */
export class SpareBuffers {
  private readonly free: ArrayBuffer[] = [];
  private bytes = 0;

  constructor(
    /** Most bytes kept in all. */
    private readonly maxBytes: number,
  ) {}

  /**
   * The smallest kept buffer of `size` to twice `size` bytes, now the caller's; `undefined` when
   * none fits (a bigger one stays for a bigger need: output arrays are ~15 times a column).
   */
  take(size: number): ArrayBuffer | undefined {
    const { free } = this;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const n = (free[i] as ArrayBuffer).byteLength;
      if (n >= size && n <= 2 * size && (best < 0 || n < (free[best] as ArrayBuffer).byteLength)) best = i;
    }
    if (best < 0) return undefined;
    const b = free.splice(best, 1)[0] as ArrayBuffer;
    this.bytes -= b.byteLength;
    return b;
  }

  /** A column of `length` doubles over a kept buffer when one is big enough, else a new one. */
  readonly float64 = (length: number): Float64Array => {
    const b = this.take(length * 8);
    return b ? new Float64Array(b, 0, length) : new Float64Array(length);
  };

  /**
   * Keeps `buffer`, which nobody reads or writes any more (the oldest kept ones make room). A
   * detached or shared buffer, one already kept, or one over the budget is left to the GC.
   */
  give(buffer: ArrayBufferLike): void {
    const size = buffer.byteLength;
    if (!(buffer instanceof ArrayBuffer) || size === 0 || size > this.maxBytes || this.free.includes(buffer)) return;
    while (this.bytes + size > this.maxBytes) this.bytes -= (this.free.shift() as ArrayBuffer).byteLength;
    this.free.push(buffer);
    this.bytes += size;
  }

  /** Drops every kept buffer. */
  clear(): void {
    this.free.length = 0;
    this.bytes = 0;
  }
}

/**
 * This thread's spare buffers. 24 MiB: the columns and bytes of the batches a fast loop has in
 * flight (at 16 MiB a 10M-point run still evicted ~900 buffers and missed ~1,200 takes; at 24-32
 * none were evicted). Cleared when a run's buffer closes.
 */
export const spareBuffers = new SpareBuffers(24 * 1024 * 1024);
