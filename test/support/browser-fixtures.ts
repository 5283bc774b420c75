/**
 * Storage fixtures for browsers (windows and dedicated workers): IndexedDB and OPFS. Portable
 * test code: no vitest imports, so the worker host can bundle it with the portable runner.
 */
import { deleteDB } from "idb";
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";
import { opfsAdapter, type OpfsIo } from "../../adapters/opfs/index.ts";
import type { StorageFixture } from "../contract/storage-contract.ts";

let counter = 0;
const unique = (tag: string): string => `${tag}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A fresh IndexedDB database; reopen is a new adapter on the same database. */
export async function indexedDBFixture(): Promise<StorageFixture> {
  const dbName = unique("mldash-test");
  return {
    adapter: indexedDBAdapter({ dbName }),
    reopen: async () => indexedDBAdapter({ dbName }),
    cleanup: () => deleteDB(dbName),
  };
}

/** A fresh OPFS folder; reopen is a new adapter on the same folder. `io` forces how files change. */
export function opfsFixture(io?: OpfsIo): () => Promise<StorageFixture> {
  return async () => {
    const root = unique("mldash-test");
    const make = (): ReturnType<typeof opfsAdapter> => (io ? opfsAdapter({ root, io }) : opfsAdapter({ root }));
    return {
      adapter: make(),
      reopen: async () => make(),
      cleanup: async () => {
        const top = await navigator.storage.getDirectory();
        await top.removeEntry(root, { recursive: true }).catch(() => undefined);
      },
    };
  };
}
