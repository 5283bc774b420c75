// The raw baseline of the browser benchmark: the bytes a run wrote, put straight into the store
// with no SDK in between (one readwrite transaction of 1 MiB values for IndexedDB; 1 MiB writes
// through a sync access handle for OPFS in a worker, a writable stream in a window). The timer
// covers the writes and their commit, not the slicing, and so does `around` (the page's and the
// machine's CPU readings of bench/browser/page.ts), not the deletion after.
import { deleteDB, openDB } from "idb";
import type { MeasureOptions } from "../points.ts";

/** Readings taken around the timed part, as around a run's. */
type Around = NonNullable<MeasureOptions["around"]>;

/** The raw baseline's milliseconds, and the readings of `around` over them. */
export interface RawResult {
  readonly ms: number;
  readonly extra?: Record<string, number>;
}

/** Size of each value or write. */
const PIECE = 1 << 20;

function pieces(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += PIECE) out.push(bytes.slice(i, i + PIECE));
  return out;
}

/** Milliseconds to put `bytes` into a fresh IndexedDB database `name` (deleted after). */
export async function rawIndexedDB(bytes: Uint8Array, name: string, around?: Around): Promise<RawResult> {
  const parts = pieces(bytes);
  const db = await openDB(name, 1, { upgrade: (d) => void d.createObjectStore("raw") });
  try {
    await around?.start();
    const t0 = performance.now();
    const tx = db.transaction("raw", "readwrite", { durability: "default" });
    parts.forEach((p, k) => void tx.store.put(p, k));
    await tx.done;
    const ms = performance.now() - t0;
    const extra = await around?.end();
    return { ms, ...(extra ? { extra } : {}) };
  } finally {
    db.close();
    await deleteDB(name);
  }
}

type SyncHandle = { write(b: Uint8Array, o: { at: number }): number; flush(): void; close(): void };

/** Milliseconds to write `bytes` into a fresh OPFS file under folder `name` (removed after). */
export async function rawOpfs(bytes: Uint8Array, name: string, around?: Around): Promise<RawResult> {
  const parts = pieces(bytes);
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle(name, { create: true });
  try {
    const file = await dir.getFileHandle("data.jsonl", { create: true });
    await around?.start();
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
    const ms = performance.now() - t0;
    const extra = await around?.end();
    return { ms, ...(extra ? { extra } : {}) };
  } finally {
    await root.removeEntry(name, { recursive: true });
  }
}
