/**
 * The `.dash` store's read caches share one rule: what is derived from an append-only file (a
 * metric's columns, a log's records) is brought up to date by reading only the bytes appended
 * since the last request (a `stat` when nothing changed). A file shorter than what was read was
 * rewritten (or repaired): it is read again from the start. Concurrent requests share one read.
 */
import type { StorageAdapter } from "../../../storage/contract.ts";

interface Entry<S> {
  state: S;
  /** The running update, shared by concurrent requests. */
  pending?: Promise<S> | undefined;
}

/** An LRU of state derived from append-only files; subclasses read and bound it. */
export abstract class AppendCache<S extends { readonly bytes: number }> {
  protected readonly entries = new Map<string, Entry<S>>();

  constructor(protected readonly storage: StorageAdapter) {}

  /** The state of a file nothing was read of. */
  protected abstract fresh(): S;
  /** Reads `[state.bytes, size)` of `key` into `state` (or a replacement, returned). */
  protected abstract extend(key: string, state: S, size: number): Promise<S>;
  /** Drops least recently used entries beyond the cache's bound: never `keep`, never one being read. */
  protected abstract evict(keep: string): void;

  /** The file's state, up to date; `null` when it does not exist. */
  async get(key: string): Promise<S | null> {
    let e = this.entries.get(key);
    if (e) {
      // Refresh LRU order.
      this.entries.delete(key);
      this.entries.set(key, e);
      if (e.pending) return e.pending;
    }
    const seen = e?.state.bytes;
    const st = await this.storage.stat(key);
    if (!st) {
      this.entries.delete(key);
      return null;
    }
    // Another request may have started (or finished) reading while this one waited: share it,
    // rather than reading the same bytes twice.
    e = this.entries.get(key);
    if (e?.pending) return e.pending;
    if (e && st.size < e.state.bytes && e.state.bytes !== seen) return e.state;
    if (!e || st.size < e.state.bytes) {
      e = { state: this.fresh() };
      this.entries.set(key, e);
      this.evict(key);
    }
    if (st.size === e.state.bytes) return e.state;
    const entry = e;
    const run = async (): Promise<S> => (entry.state = await this.extend(key, entry.state, st.size));
    entry.pending = run().finally(() => {
      entry.pending = undefined;
      this.evict(key);
    });
    return entry.pending;
  }

  /** The state of `key` as last read, without touching storage. */
  peek(key: string): S | undefined {
    return this.entries.get(key)?.state;
  }

  /** Forgets the files below the folder `dir` (a deleted run's); the next request reads them again. */
  forgetBelow(dir: string): void {
    const prefix = `${dir}/`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
