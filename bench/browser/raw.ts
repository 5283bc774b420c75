// The raw baseline of the browser benchmark: the bytes a run wrote, put straight into the store
// with no SDK in between (one readwrite transaction of 1 MiB values for IndexedDB; 1 MiB writes
// through a sync access handle for OPFS in a worker, a writable stream in a window). The timer
// covers the writes and their commit, not the slicing.
import { deleteDB, openDB } from "idb";

/** Size of each value or write. */
const PIECE = 1 << 20;

function pieces(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += PIECE) out.push(bytes.slice(i, i + PIECE));
  return out;
}

/** Milliseconds to put `bytes` into a fresh IndexedDB database `name` (deleted after). */
export async function rawIndexedDB(bytes: Uint8Array, name: string): Promise<number> {
  const parts = pieces(bytes);
  const db = await openDB(name, 1, { upgrade: (d) => void d.createObjectStore("raw") });
  try {
    const t0 = performance.now();
    const tx = db.transaction("raw", "readwrite", { durability: "default" });
    parts.forEach((p, k) => void tx.store.put(p, k));
    await tx.done;
    return performance.now() - t0;
  } finally {
    db.close();
    await deleteDB(name);
  }
}

type SyncHandle = { write(b: Uint8Array, o: { at: number }): number; flush(): void; close(): void };

/** Milliseconds to write `bytes` into a fresh OPFS file under folder `name` (removed after). */
export async function rawOpfs(bytes: Uint8Array, name: string): Promise<number> {
  const parts = pieces(bytes);
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle(name, { create: true });
  try {
    const file = await dir.getFileHandle("data.jsonl", { create: true });
    const t0 = performance.now();
    if ("createSyncAccessHandle" in file) {
      const h = await (file as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle();
      let at = 0;
      for (const p of parts) at += h.write(p, { at });
      h.flush();
      h.close();
    } else {
      const w = await file.createWritable();
      for (const p of parts) await w.write(p as Uint8Array<ArrayBuffer>);
      await w.close();
    }
    return performance.now() - t0;
  } finally {
    await root.removeEntry(name, { recursive: true });
  }
}
