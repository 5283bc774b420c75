// The stores the browser benchmark measures, in a window or a dedicated worker.
import { deleteDB } from "idb";
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { opfsAdapter } from "../../adapters/opfs/index.ts";
import { medianPoints, type PointsResult } from "../points.ts";

export type BenchStore = "indexeddb" | "opfs" | "opfs-direct" | "memory";

/**
 * Measures `store` at size `n` in this context, on a fresh database or folder. `opfs-direct`
 * is OPFS without its I/O worker (sync handles in a worker, writable streams in a window);
 * `memory` is the core alone, the ceiling of every store.
 */
export async function benchStore(store: BenchStore, n: number, repeat: number): Promise<PointsResult> {
  if (store === "memory") return medianPoints(memoryAdapter(), n, repeat);
  const name = `mldash-bench-${store}-${n}-${Date.now().toString(36)}`;
  const direct = "FileSystemSyncAccessHandle" in globalThis ? "sync" : "writable";
  const storage =
    store === "indexeddb" ? indexedDBAdapter({ dbName: name }) : store === "opfs" ? opfsAdapter({ root: name }) : opfsAdapter({ root: name, io: direct });
  try {
    return await medianPoints(storage, n, repeat);
  } finally {
    await storage.close();
    if (store === "indexeddb") await deleteDB(name);
    else await (await navigator.storage.getDirectory()).removeEntry(name, { recursive: true });
  }
}
