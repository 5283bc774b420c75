/**
 * The zero-config store of a window: IndexedDB served by a worker (storage-worker.ts, loaded
 * with the first operation, so a page that never starts a run does not download it). Workers
 * write IndexedDB themselves: they are already off the page's thread.
 */
import { indexedDBAdapter } from "../../../adapters/indexeddb/index.ts";
import { loadOnce } from "../../internal/load-once.ts";
import type { StorageAdapter } from "../../storage/contract.ts";

/** The operations the served store answers (the rest are the direct adapter's). */
const OPS = ["read", "readRange", "stat", "write", "append", "appendParts", "truncate", "list", "delete", "deletePrefix", "readStream", "writeStream", "sync"] as const;

/** The store of database `dbName` for this realm. */
export function browserStore(dbName: string): StorageAdapter & { readonly dbName: string } {
  const direct = indexedDBAdapter({ dbName });
  if (typeof document === "undefined") return direct;
  let used = false;
  const load = loadOnce(async () => {
    used = true;
    return (await import("./storage-worker.ts")).workerIndexedDB(dbName, direct);
  });
  const ops = Object.fromEntries(OPS.map((op) => [op, async (...args: unknown[]) => ((await load())[op] as (...a: unknown[]) => unknown)(...args)]));
  return {
    ...(ops as unknown as Pick<Required<StorageAdapter>, (typeof OPS)[number]>),
    name: direct.name,
    dbName,
    capabilities: direct.capabilities,
    lock: direct.lock,
    // A store never used has no worker to stop.
    close: async () => (used ? (await load()).close() : direct.close()),
  } as StorageAdapter & { readonly dbName: string };
}
