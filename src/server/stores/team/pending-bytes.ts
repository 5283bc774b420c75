/**
 * The gzipped lines of the pending rows this node appended, kept until it seals them or a byte
 * budget pushes them out (oldest first). The node whose append crosses a chunk boundary seals
 * what it has just written, and reading those rows back cost it about what writing them did:
 * postgres.js moves `bytea` as hex text, and decoding the rows took 0.23 s of a node's 4.3 s
 * busy at 1M points. A row missing here (appended by another node, evicted, or written before a
 * restart) is read from PostgreSQL as before; a committed row never changes, so a copy is
 * never stale. Only rows whose transaction committed are put here.
 */

/** One kept row. */
interface Kept {
  readonly count: number;
  readonly bytes: Uint8Array;
}

/** Pending rows' bytes by series and first index, within a byte budget. */
export class PendingBytes {
  private readonly rows = new Map<string, Kept>();
  private size = 0;

  constructor(private readonly budget: number) {}

  /** Keeps the bytes of the committed row `[first, first + count)` of `seriesId`. */
  put(seriesId: string, first: number, count: number, bytes: Uint8Array): void {
    if (bytes.length > this.budget) return;
    const key = `${seriesId}:${first}`;
    this.drop(seriesId, first);
    this.rows.set(key, { count, bytes });
    this.size += bytes.length;
    for (const [k, v] of this.rows) {
      if (this.size <= this.budget) break;
      this.rows.delete(k);
      this.size -= v.bytes.length;
    }
  }

  /** The bytes of row `[first, first + count)` of `seriesId`, if kept. */
  get(seriesId: string, first: number, count: number): Uint8Array | undefined {
    const kept = this.rows.get(`${seriesId}:${first}`);
    return kept?.count === count ? kept.bytes : undefined;
  }

  /** Forgets the row of `seriesId` that starts at `first` (sealed). */
  drop(seriesId: string, first: number): void {
    const key = `${seriesId}:${first}`;
    const kept = this.rows.get(key);
    if (!kept) return;
    this.rows.delete(key);
    this.size -= kept.bytes.length;
  }

  /** Bytes kept. */
  get bytes(): number {
    return this.size;
  }
}
