/**
 * The storage contract: a small, byte-oriented key/value store with appends.
 *
 * Keys are `/`-separated relative paths shaped like `.dash` paths
 * (`alice/mnist/run-1/metrics/train/data.jsonl`). The core owns the layout, so every adapter
 * writes the same tree and a run can move between them. Every adapter passes the conformance
 * suite in `test/contract/`.
 */

/** What an adapter can do beyond the required operations. */
export interface StorageCapabilities {
  /** `readStream` / `writeStream` are implemented natively (no whole-file buffering). */
  readonly streams: boolean;
  /**
   * Other processes, tabs or workers may write the same keys at the same time. When true,
   * the core re-reads stream cursors inside `lock()` before every append.
   */
  readonly sharedWriters: boolean;
  /** Data survives the process (false for the memory adapter). */
  readonly persistent: boolean;
}

/** A lease asked of {@link StorageAdapter.lease}: taken (release it when done), or held by another process. */
export type StorageLease = { readonly release: () => Promise<void> } | { readonly heldBy: string };

/** Size (and, where known, modification time) of a stored value. */
export interface StorageStat {
  readonly size: number;
  readonly mtimeMs?: number;
}

/**
 * A storage adapter. Implementations are opened lazily (nothing happens at construction or
 * import) and must be safe to call concurrently: appends to one key land in call order.
 *
 * @example
 * ```ts
 * const store = memoryAdapter();
 * await store.append("a/b/logs/logs.jsonl", new TextEncoder().encode("{}\n"));
 * ```
 */
export interface StorageAdapter {
  /** Short name for messages (`"node-fs"`, `"memory"`). */
  readonly name: string;
  readonly capabilities: StorageCapabilities;

  /** The whole value, or `null` when the key does not exist. */
  read(key: string): Promise<Uint8Array | null>;
  /** Bytes `[start, end)` (end defaults to the size), or `null` when the key does not exist. */
  readRange(key: string, start: number, end?: number): Promise<Uint8Array | null>;
  /** Size of the value, or `null` when the key does not exist. */
  stat(key: string): Promise<StorageStat | null>;
  /** Replaces the value atomically: a reader sees the old bytes or the new, never a mix. */
  write(key: string, data: Uint8Array): Promise<void>;
  /** Appends to the value, creating it when missing. Resolves when the bytes are stored. */
  append(key: string, data: Uint8Array): Promise<void>;
  /** Every key equal to `prefix` or below `prefix/`, sorted; `""` lists everything. */
  list(prefix: string): Promise<string[]>;
  /** Removes one key; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every key below `prefix/` (and `prefix` itself). */
  deletePrefix(prefix: string): Promise<void>;

  /**
   * Appends synchronously, when the adapter's backend can and nothing else is pending on `key`
   * (so call order still holds): returns true once the bytes are stored, false when it did
   * nothing (the caller then uses `append`). A failed append leaves the value as it was and
   * throws. Only adapters over a synchronous backend (a file system) offer it; the buffer uses
   * it to make a producer that outruns storage wait for storage instead of losing data. The
   * adapter keeps no reference to `data`: once it returns, the caller reuses the array.
   */
  appendSync?(key: string, data: Uint8Array): boolean;
  /**
   * Appends `parts` in order, as `append` of their concatenation would, and takes them: the
   * caller never reads or changes them again, so the adapter may store or transfer their
   * buffers without copying (IndexedDB keeps each part as a chunk, OPFS hands them to its I/O
   * worker). Optional: without it the core appends the concatenation. The core calls it with
   * byte arrays that own their buffers whole (`byteOffset` 0, `byteLength` the buffer's).
   */
  appendParts?(key: string, parts: readonly Uint8Array[]): Promise<void>;
  /** Shortens a value to `size` bytes (used to cut a torn last line after a crash). */
  truncate?(key: string, size: number): Promise<void>;
  /** Streams a value without holding it in memory; `null` when missing. */
  readStream?(key: string): Promise<ReadableStream<Uint8Array> | null>;
  /** A sink whose bytes replace the value atomically when the stream closes. */
  writeStream?(key: string): Promise<WritableStream<Uint8Array>>;
  /**
   * Runs `fn` while holding an exclusive lock named `name`, across every writer the adapter
   * can see (the process, or every tab of an origin for browser adapters).
   */
  lock?<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Takes a lease on `key` for this process, held until released or until the process ends
   * (a file-system adapter writes a lock file with pid, host and start time; a lease whose
   * process no longer runs on this host is stale and taken over). Within one process the lease
   * is shared (counted). Resolves `{ heldBy }`, describing the holder, when another live
   * process has it. Optional: the local backend takes one per run it writes, so that a second
   * process writing the same run gets a clear error instead of corrupting it.
   */
  lease?(key: string): Promise<StorageLease>;
  /** Makes every completed write durable against power loss (fsync). */
  sync?(): Promise<void>;
  /** Releases handles. The adapter reopens lazily if used again. */
  close(): Promise<void>;
}
