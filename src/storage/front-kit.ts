/**
 * The adapter kit's front door: what an adapter's factory, the part a page loads up front,
 * imports; its implementation, loaded on first use, imports the whole kit (`kit.ts`). A bundler
 * that splits code (esbuild) follows every module a barrel names: a factory that imported the
 * whole kit put the implementation's helpers (key checks, byte joins) in the page's first
 * download, though the factory calls none of them (0.4 kB gzip of the browser entry).
 */
export { originLocks, type OriginLocks } from "./web-locks.ts";
export { loadOnce } from "../internal/load-once.ts";
export type { StorageAdapter, StorageCapabilities, StorageStat } from "./contract.ts";
