/**
 * One zero-config store per root: the default storage of a runtime is memoised, so every
 * experiment of a process, page or worker that writes one root shares one adapter (and two
 * experiments on one prefix share one writer).
 */
import type { StorageAdapter } from "../storage/contract.ts";

/** Memoises `make`: one adapter per root (or database name), made on first use. */
export function sharedStores(make: (root: string) => StorageAdapter): (root: string) => StorageAdapter {
  const stores = new Map<string, StorageAdapter>();
  return (root) => {
    let s = stores.get(root);
    if (!s) stores.set(root, (s = make(root)));
    return s;
  };
}
