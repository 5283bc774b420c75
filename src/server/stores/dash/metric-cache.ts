/**
 * The dashboard's per-metric cache: {@link MetricColumns} for each `data.jsonl` it was asked
 * about, brought up to date on every request by reading only the bytes appended since (a `stat`
 * when nothing changed). Entries are evicted least-recently-used beyond a byte budget.
 */
import type { StorageAdapter } from "../../../storage/contract.ts";
import { MetricColumns } from "./metric-columns.ts";
import { scanMetricBytes } from "./metric-scan.ts";
import { warmSummaries } from "./series.ts";

/**
 * Bytes read per storage call while scanning (the next chunk is read while one is scanned).
 * Small enough that scanning one takes a few ms, so other requests are served in between.
 */
const CHUNK = 1024 * 1024;

interface Entry {
  cols: MetricColumns;
  /** The running update, shared by concurrent requests. */
  pending: Promise<MetricColumns> | undefined;
}

/** Columns of metric files, kept current and bounded in memory. */
export class MetricCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly storage: StorageAdapter,
    /** Most bytes of columns kept across metrics. */
    private readonly budgetBytes = 512 * 1024 * 1024,
  ) {}

  /** The columns of `key`, brought up to date; `null` when the file does not exist. */
  async get(key: string): Promise<MetricColumns | null> {
    let e = this.entries.get(key);
    if (e) {
      // Refresh LRU order.
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    if (e?.pending) return e.pending;
    const seen = e?.cols.bytes;
    const st = await this.storage.stat(key);
    if (!st) {
      this.entries.delete(key);
      return null;
    }
    // Another request may have started (or finished) a scan while this one waited: share it,
    // rather than scanning the same file twice.
    e = this.entries.get(key);
    if (e?.pending) return e.pending;
    if (e && st.size < e.cols.bytes && e.cols.bytes !== seen) return e.cols;
    // A file shorter than what was scanned was rewritten (or repaired): start over.
    if (!e || st.size < e.cols.bytes) {
      e = { cols: new MetricColumns(), pending: undefined };
      this.entries.set(key, e);
    }
    if (st.size === e.cols.bytes) return e.cols;
    const entry = e;
    entry.pending = this.extend(key, entry.cols, st.size).finally(() => {
      entry.pending = undefined;
      this.evict(key);
    });
    return entry.pending;
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
    for (const e of this.entries.values()) total += e.cols.heapBytes;
    return total;
  }

  /** The columns of `key` as last scanned, without touching storage. */
  peek(key: string): MetricColumns | undefined {
    return this.entries.get(key)?.cols;
  }

  /** Forgets every cached metric. */
  clear(): void {
    this.entries.clear();
  }

  /** Reads `[cols.bytes, size)` in chunks, reading ahead while the previous chunk is scanned. */
  private async extend(key: string, cols: MetricColumns, size: number): Promise<MetricColumns> {
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

  private evict(keep: string): void {
    let total = this.heapBytes();
    for (const [k, e] of this.entries) {
      if (total <= this.budgetBytes) break;
      if (k === keep || e.pending) continue;
      total -= e.cols.heapBytes;
      this.entries.delete(k);
    }
  }
}
