/**
 * `indexedDBAdapter({ dbName })`: the `.dash` tree in IndexedDB, for browser tabs and workers.
 *
 * Making the adapter costs nothing: the store (store.ts, and idb with it) loads with the first
 * call, which for an experiment is its `run.start()`, so a page that builds an Experiment but
 * never starts it, or writes elsewhere, does not download it. How values are laid out in the
 * database is described in store.ts.
 */
import { loadOnce, originLocks, type StorageAdapter } from "../../src/storage/front-kit.ts";
import type { IndexedDBStore } from "./store.ts";

/** Options of {@link indexedDBAdapter}. */
export interface IndexedDBAdapterOptions {
  /** Name of the IndexedDB database. Default `"ml-dash"`. */
  readonly dbName?: string;
}

/**
 * A storage adapter over IndexedDB (browser windows and workers). Several tabs and workers may
 * write the same run: it takes Web Locks (`navigator.locks`) around each stream append.
 *
 * @example
 * ```ts
 * import { Experiment } from "ml-dash/core";
 * import { indexedDBAdapter } from "ml-dash/adapters/indexeddb";
 * const exp = new Experiment("alice/mnist/run-1", { storage: indexedDBAdapter() });
 * ```
 */
export function indexedDBAdapter(options: IndexedDBAdapterOptions = {}): StorageAdapter & { readonly dbName: string } {
  const dbName = options.dbName ?? "ml-dash";
  const locks = originLocks(`ml-dash:idb:${dbName}`);
  const load = loadOnce(async (): Promise<IndexedDBStore> => (await import("./store.ts")).indexedDBStore(dbName));
  let used = false;
  const store = (): Promise<IndexedDBStore> => {
    used = true;
    return load();
  };

  return {
    name: "indexeddb",
    dbName,
    capabilities: { streams: true, sharedWriters: locks.shared, persistent: true },
    read: async (key) => (await store()).read(key),
    readRange: async (key, start, end) => (await store()).readRange(key, start, end),
    stat: async (key) => (await store()).stat(key),
    write: async (key, data) => (await store()).write(key, data),
    append: async (key, data) => (await store()).append(key, data),
    appendParts: async (key, parts) => (await store()).appendParts(key, parts),
    truncate: async (key, size) => (await store()).truncate(key, size),
    list: async (prefix) => (await store()).list(prefix),
    delete: async (key) => (await store()).delete(key),
    deletePrefix: async (prefix) => (await store()).deletePrefix(prefix),
    readStream: async (key) => (await store()).readStream(key),
    writeStream: async (key) => (await store()).writeStream(key),
    lock: (name, fn) => locks.run(name, fn),
    // A store never called has nothing to make durable or to close.
    sync: async () => (used ? (await store()).sync() : undefined),
    close: async () => (used ? (await store()).close() : undefined),
  };
}
