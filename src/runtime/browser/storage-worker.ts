/**
 * A window's zero-config IndexedDB store, served by a worker (a second instance of the encoder
 * worker's file, so it needs nothing more from a bundler or a Content-Security-Policy): the
 * clones IndexedDB makes of every value, ~2.4 µs per metric point on the thread that puts it,
 * leave the page's thread. Streams and locks stay with a direct adapter on the page. When no
 * worker can start, or it does not answer, every operation uses the direct adapter.
 */
import type { StorageAdapter } from "../../storage/contract.ts";
import { isReady, storageOverPort, type StorageConnection, type StoragePort } from "../../storage/over-port.ts";
import type { ServeStorageRequest } from "./encoder-worker.ts";
import { startWorker } from "./encoder.ts";

/** How long a starting worker may take to answer before the page writes itself. */
const START_TIMEOUT_MS = 10_000;

/** The store of database `dbName` through a worker, falling back to `direct`. */
export function workerIndexedDB(dbName: string, direct: StorageAdapter): StorageAdapter {
  const adapter = storageOverPort(async (): Promise<StorageConnection | undefined> => {
    if (typeof Worker !== "function" || typeof MessageChannel !== "function") return undefined;
    let worker: Worker;
    try {
      worker = startWorker("ml-dash storage");
    } catch {
      return undefined;
    }
    const channel = new MessageChannel();
    let started = false;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
      channel.port1.onmessage = (e) => {
        clearTimeout(timer);
        resolve(isReady(e.data));
      };
      worker.onerror = (e) => {
        e.preventDefault?.();
        clearTimeout(timer);
        resolve(false);
        if (started) adapter.broken(new Error(e.message || "the worker failed"));
      };
      worker.postMessage({ kind: "storage", dbName, port: channel.port2 } satisfies ServeStorageRequest, [channel.port2]);
    });
    if (!ready) {
      worker.terminate();
      return undefined;
    }
    started = true;
    return { port: channel.port1 as unknown as StoragePort, stop: () => worker.terminate() };
  }, direct);
  return adapter;
}
