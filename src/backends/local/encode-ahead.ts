/**
 * The encoded bytes of the batches one write appends, in order, produced a few batches ahead of
 * the append in progress (on encoder workers when there are any), so appending batch i overlaps
 * encoding the next ones, and an asynchronous store can take every batch already encoded in one
 * append.
 */
import type { Batch } from "../../model/batch.ts";

interface Entry {
  readonly bytes: Promise<Uint8Array> | Uint8Array;
  /** The bytes, once they are here. */
  ready: Uint8Array | undefined;
}

/** Bytes of `batches`, `depth` batches ahead. */
export class EncodeAhead {
  private readonly entries: Entry[] = [];
  private next = 0;

  constructor(
    private readonly batches: readonly Batch[],
    private readonly encode: (b: Batch) => Promise<Uint8Array> | Uint8Array,
    private readonly depth: number,
  ) {}

  /** Starts encoding batches until `depth` are ahead. */
  fill(): void {
    while (this.next < this.batches.length && this.entries.length < this.depth) {
      const bytes = this.encode(this.batches[this.next++] as Batch);
      const e: Entry = { bytes, ready: bytes instanceof Uint8Array ? bytes : undefined };
      if (!e.ready) (bytes as Promise<Uint8Array>).then((b) => (e.ready = b), () => undefined);
      this.entries.push(e);
    }
  }

  /** The next batch's bytes (call once per batch, in order). */
  take(): Promise<Uint8Array> | Uint8Array {
    return (this.entries.shift() as Entry).bytes;
  }

  /** The next batch's bytes when they are already here (taken), else `undefined` (left). */
  takeReady(): Uint8Array | undefined {
    const ready = this.entries[0]?.ready;
    if (ready) this.entries.shift();
    return ready;
  }
}
