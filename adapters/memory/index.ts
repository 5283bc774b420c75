/**
 * `memoryAdapter()`: a store in memory. For tests, short-lived edge functions, and as the
 * reference implementation of the storage contract. Pass the same `store` to two adapters to
 * model a reopen.
 */
import { assertValidKey, concatBytes, NamedMutex, type StorageAdapter, type StorageStat } from "../../src/storage/kit.ts";

interface Entry {
  chunks: Uint8Array[];
  size: number;
  mtimeMs: number;
}

/** The data behind one or more memory adapters. */
export class MemoryStore {
  /** @internal */ readonly entries: Map<string, Entry> = new Map();

  /** Number of keys held. */
  get size(): number {
    return this.entries.size;
  }
}

/** Options of {@link memoryAdapter}. */
export interface MemoryAdapterOptions {
  /** Share data with other adapters (e.g. to reopen a run). Default: a fresh store. */
  readonly store?: MemoryStore;
}

function flatten(e: Entry): Uint8Array {
  if (e.chunks.length === 1) return e.chunks[0] as Uint8Array;
  const out = concatBytes(e.chunks);
  e.chunks = [out];
  return out;
}

function inPrefix(key: string, prefix: string): boolean {
  return prefix === "" || key === prefix || key.startsWith(prefix + "/");
}

/**
 * A storage adapter that keeps everything in memory.
 *
 * @example
 * ```ts
 * const exp = new Experiment("alice/demo/run", { storage: memoryAdapter() });
 * ```
 */
export function memoryAdapter(options: MemoryAdapterOptions = {}): StorageAdapter & { readonly store: MemoryStore } {
  const store = options.store ?? new MemoryStore();
  const { entries } = store;
  const locks = new NamedMutex();
  const appendNow = (key: string, data: Uint8Array): void => {
    assertValidKey(key);
    const e = entries.get(key);
    if (!e) entries.set(key, { chunks: [data.slice()], size: data.length, mtimeMs: Date.now() });
    else {
      e.chunks.push(data.slice());
      e.size += data.length;
      e.mtimeMs = Date.now();
    }
  };
  return {
    name: "memory",
    store,
    capabilities: { streams: true, sharedWriters: false, persistent: false },
    async read(key) {
      assertValidKey(key);
      const e = entries.get(key);
      return e ? flatten(e).slice() : null;
    },
    async readRange(key, start, end) {
      assertValidKey(key);
      const e = entries.get(key);
      if (!e) return null;
      return flatten(e).slice(start, end ?? e.size);
    },
    async stat(key): Promise<StorageStat | null> {
      assertValidKey(key);
      const e = entries.get(key);
      return e ? { size: e.size, mtimeMs: e.mtimeMs } : null;
    },
    async write(key, data) {
      assertValidKey(key);
      entries.set(key, { chunks: [data.slice()], size: data.length, mtimeMs: Date.now() });
    },
    async append(key, data) {
      appendNow(key, data);
    },
    appendSync(key, data) {
      appendNow(key, data);
      return true;
    },
    async truncate(key, size) {
      assertValidKey(key);
      const e = entries.get(key);
      if (!e || size >= e.size) return;
      const all = flatten(e);
      e.chunks = [all.slice(0, size)];
      e.size = size;
    },
    async list(prefix) {
      if (prefix !== "") assertValidKey(prefix);
      return [...entries.keys()].filter((k) => inPrefix(k, prefix)).sort();
    },
    async delete(key) {
      assertValidKey(key);
      entries.delete(key);
    },
    async deletePrefix(prefix) {
      assertValidKey(prefix);
      for (const k of [...entries.keys()]) if (inPrefix(k, prefix)) entries.delete(k);
    },
    async readStream(key) {
      assertValidKey(key);
      const e = entries.get(key);
      if (!e) return null;
      const bytes = flatten(e).slice();
      const CHUNK = 64 * 1024;
      let off = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (off >= bytes.length) return controller.close();
          controller.enqueue(bytes.subarray(off, off + CHUNK));
          off += CHUNK;
        },
      });
    },
    async writeStream(key) {
      assertValidKey(key);
      const chunks: Uint8Array[] = [];
      let size = 0;
      return new WritableStream<Uint8Array>({
        write(chunk) {
          chunks.push(chunk.slice());
          size += chunk.length;
        },
        close() {
          entries.set(key, { chunks, size, mtimeMs: Date.now() });
        },
      });
    },
    lock(name, fn) {
      return locks.run(name, fn);
    },
    async close() {
      // nothing to release
    },
  };
}
