/**
 * The adapter kit: everything a storage adapter (`adapters/<name>/`) imports from the SDK, and
 * nothing else (with its front door, `front-kit.ts`, for a factory whose implementation loads later). Adapters never reach into `src/` past this file, so the core can move freely
 * behind it.
 *
 * ## How to write an adapter
 *
 * 1. **One folder, one factory.** `adapters/<name>/index.ts` exports `<name>Adapter(options)`
 *    returning a {@link StorageAdapter} (plus, if useful, what it was opened on, e.g. `root`).
 *    Touch the backend lazily: nothing opens at import or in the factory, only on the first call.
 * 2. **Keys.** Keys are `/`-separated `.dash` paths; the core owns the layout. Call
 *    {@link assertValidKey} on every key (and on a non-empty `list` prefix) before the backend
 *    sees it, so no key escapes the store's root.
 * 3. **Order and atomicity.** Appends to one key land in call order: run every change of a key
 *    through a {@link NamedMutex} keyed by the key. `write` replaces atomically: write a
 *    temporary sibling named by {@link tempName}, then rename it over the key; `list` skips
 *    names for which {@link isTempName} holds.
 * 4. **Handles.** A file-system adapter keeps append handles open across flushes in a
 *    {@link HandleCache} (least recently used first, bounded) and closes the handles it evicts
 *    after the writes already queued on their keys.
 * 5. **Locks.** `lock(name, fn)` is exclusive across every writer the adapter can see: a
 *    {@link NamedMutex} within a process; {@link originLocks} (Web Locks) across the tabs and
 *    workers of an origin, and then `capabilities.sharedWriters` is `originLocks(…).shared`.
 * 6. **Errors.** A missing key is `null` from reads, never an error. Other failures throw a
 *    {@link StorageError}: wrap a backend error with {@link storageError}`(operation, key, err)`,
 *    and give known conditions a `code` (`"QUOTA_EXCEEDED"`, `"UNSUPPORTED"`, …).
 * 7. **Heavy code on first use.** Load a large implementation (a database wrapper) with
 *    {@link loadOnce}`(() => import("./store.ts"))`: every caller shares one load, and a failed
 *    load is tried again by the next call. Such a factory imports from `front-kit.ts` (the same
 *    names, fewer of them), so a page's first download holds only what the factory uses.
 * 8. **Prove it.** Run the conformance suite `test/contract/storage-contract.ts` against the
 *    adapter in every runtime that can host it, and add an export to package.json, deno.json and
 *    tsup.config.ts.
 *
 * `adapters/memory/` is the reference implementation; `adapters/node-fs/` shows the file-system
 * patterns (handles, temporary names, per-key order).
 *
 * @example
 * ```ts
 * import { assertValidKey, NamedMutex, type StorageAdapter } from "../../src/storage/kit.ts";
 *
 * export function myAdapter(options: MyAdapterOptions = {}): StorageAdapter {
 *   const queue = new NamedMutex(); // per-key order of changes
 *   return {
 *     name: "my",
 *     capabilities: { streams: false, sharedWriters: false, persistent: true },
 *     async append(key, data) {
 *       assertValidKey(key);
 *       return queue.run(key, () => backend(options).append(key, data));
 *     },
 *     // … read, readRange, stat, write, list, delete, deletePrefix, close
 *   };
 * }
 * ```
 */
export { assertValidKey, type StorageAdapter, type StorageCapabilities, type StorageLease, type StorageStat } from "./contract.ts";
export { NotFoundError, StorageError, storageError } from "../errors.ts";
export { HandleCache } from "./handle-cache.ts";
export { groupSync } from "./group-sync.ts";
export { PendingChanges, type PendingChangesOptions } from "./pending-changes.ts";
export { isTempName, tempName } from "./temp-names.ts";
export { walkFiles, type WalkEntry } from "./walk.ts";
export { originLocks, type OriginLocks } from "./web-locks.ts";
export { Mutex, NamedMutex } from "../internal/mutex.ts";
export { loadOnce } from "../internal/load-once.ts";
export { concatBytes } from "../internal/bytes.ts";
/**
 * ml-dash's module worker file (browsers): an adapter that needs a worker of its own (OPFS's
 * I/O) asks this file for it, so a page under `worker-src 'self'` and a bundler that emits one
 * worker serve it too. The first message chooses the role; see `src/runtime/browser/encoder-worker.ts`.
 */
export { startModuleWorker } from "./module-worker.ts";
