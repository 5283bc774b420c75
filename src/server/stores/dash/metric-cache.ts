/**
 * The dashboard's per-metric cache: {@link MetricColumns} for each `data.jsonl` it was asked
 * about, brought up to date on every request by reading only the bytes appended since
 * ({@link AppendCache}). Entries are evicted least-recently-used beyond a byte budget.
 */
import type { StorageAdapter } from "../../../storage/contract.ts";
import { AppendCache } from "./append-cache.ts";
import { MetricColumns } from "./metric-columns.ts";
import { scanMetricBytes } from "./metric-scan.ts";
import { warmSummaries } from "./series.ts";

/**
 * Bytes read per storage call while scanning (the next chunk is read while one is scanned).
 * Small enough that scanning one takes a few ms, so other requests are served in between.
 */
const CHUNK = 1024 * 1024;

/** Columns of metric files, kept current and bounded in memory. */
export class MetricCache extends AppendCache<MetricColumns> {
  constructor(
    storage: StorageAdapter,
    /** Most bytes of columns kept across metrics. */
    private readonly budgetBytes = 512 * 1024 * 1024,
  ) {
    super(storage);
  }

  protected fresh(): MetricColumns {
    return new MetricColumns();
  }

  /** Scans `keys` one after another until the cache holds 80% of its budget. */
  async warm(keys: readonly string[]): Promise<void> {
    for (const k of keys) {
      if (this.heapBytes() > this.budgetBytes * 0.8) return;
      const cols = await this.get(k).catch(() => null);
      if (cols) await warmSummaries(cols);
    }
  }

  private heapBytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.state.heapBytes;
    return total;
  }

  /** Reads `[cols.bytes, size)` in chunks, reading ahead while the previous chunk is scanned. */
  protected async extend(key: string, cols: MetricColumns, size: number): Promise<MetricColumns> {
    let start = cols.bytes;
    let carry: Uint8Array | undefined;
    let next: Promise<Uint8Array | null> | undefined = this.storage.readRange(key, start, Math.min(size, start + CHUNK));
    let readTo = Math.min(size, start + CHUNK);
    while (next) {
      const got = await next;
      next = readTo < size ? this.storage.readRange(key, readTo, Math.min(size, readTo + CHUNK)) : undefined;
      readTo = Math.min(size, readTo + CHUNK);
      if (!got) break;
      let bytes = got;
      if (carry) {
        bytes = new Uint8Array(carry.length + got.length);
        bytes.set(carry);
        bytes.set(got, carry.length);
      }
      const used = scanMetricBytes(cols, bytes, start);
      // Size the columns for the whole file once the line length is known (no repeated growth).
      // 2% over the estimate (lines get longer as their index grows; rows past it grow the columns).
      if (start === 0 && cols.rows > 0) cols.reserve(Math.ceil(((cols.rows * size) / used) * 1.02) + 16, true);
      start += used;
      carry = used < bytes.length ? bytes.slice(used) : undefined;
      // Let other requests run between chunks of a big first scan.
      await new Promise((r) => setTimeout(r, 0));
    }
    return cols;
  }

  protected evict(keep: string): void {
    let total = this.heapBytes();
    for (const [k, e] of this.entries) {
      if (total <= this.budgetBytes) break;
      if (k === keep || e.pending) continue;
      total -= e.state.heapBytes;
      this.entries.delete(k);
    }
  }
}
