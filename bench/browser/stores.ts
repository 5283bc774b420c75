// The stores the browser benchmark measures, in a window or a dedicated worker, each beside its
// raw baseline (the same bytes put straight into the store, bench/browser/raw.ts).
import { deleteDB } from "idb";
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { opfsAdapter } from "../../adapters/opfs/index.ts";
import { Experiment } from "../../src/runtime/browser/entry.ts";
import { browserStore } from "../../src/runtime/browser/page-store.ts";
import { medianPoints, type MeasureOptions, type PointsResult } from "../points.ts";
import { rawIndexedDB, rawOpfs, type RawResult } from "./raw.ts";

export type BenchStore = "indexeddb" | "indexeddb-page" | "opfs" | "opfs-direct" | "memory";

/** A measurement and, for a persistent store, its raw baseline in the same context. */
export interface BrowserResult extends PointsResult {
  /** Points/s of the raw baseline: the run's bytes written straight into the store. */
  readonly rawPointsPerSec?: number;
  /** The page thread's CPU milliseconds while the raw baseline wrote. */
  readonly rawPageBusyMs?: number;
  /** The machine's CPU milliseconds (every core, every process) while the raw baseline wrote. */
  readonly rawMachineCpuMs?: number;
}

/**
 * Measures `store` at size `n` in this context, on a fresh database or folder, with the browser
 * entry's `Experiment` (encoder workers). `indexeddb` is the zero-config store (in a window,
 * served by a worker); `indexeddb-page` is `indexedDBAdapter()` used on the page's thread.
 * `opfs-direct` is OPFS without its I/O worker (sync handles in a worker, writable streams in a
 * window); `memory` is the SDK alone.
 */
export async function benchStore(store: BenchStore, n: number, repeat: number, around?: MeasureOptions["around"]): Promise<BrowserResult> {
  const options: MeasureOptions = { Experiment, ...(around ? { around } : {}) };
  if (store === "memory") return medianPoints(memoryAdapter(), n, repeat, options);
  const name = `mldash-bench-${store}-${n}-${Date.now().toString(36)}`;
  const direct = "FileSystemSyncAccessHandle" in globalThis ? "sync" : "writable";
  const storage =
    store === "indexeddb"
      ? browserStore(name)
      : store === "indexeddb-page"
        ? indexedDBAdapter({ dbName: name })
        : store === "opfs"
          ? opfsAdapter({ root: name })
          : opfsAdapter({ root: name, io: direct });
  let r: PointsResult;
  let raw: RawResult;
  let closed = false;
  try {
    r = await medianPoints(storage, n, repeat, options);
    const bytes = await storage.read(`${r.prefix}/metrics/train/data.jsonl`);
    if (!bytes) throw new Error(`the run wrote no ${r.prefix}/metrics/train/data.jsonl`);
    await storage.close();
    closed = true;
    // The raw baseline writes while our run's data still exists, so that, like our run, it
    // writes into memory nobody just freed: on a VM that hands freed memory back to its host
    // (bench/host-memory.mjs), writing right after our data was deleted made it several times
    // faster than it is on memory the host has taken back.
    raw = store.startsWith("indexeddb") ? await rawIndexedDB(bytes, `${name}-raw`, around) : await rawOpfs(bytes, `${name}-raw`, around);
  } finally {
    if (!closed) await storage.close();
    if (store.startsWith("indexeddb")) await deleteDB(name);
    else await (await navigator.storage.getDirectory()).removeEntry(name, { recursive: true });
  }
  return {
    ...r,
    rawPointsPerSec: (n / raw.ms) * 1000,
    ...(raw.extra ? { rawPageBusyMs: raw.extra["pageBusyMs"] } : {}),
    ...(raw.extra?.["machineCpuMs"] !== undefined ? { rawMachineCpuMs: raw.extra["machineCpuMs"] } : {}),
  };
}
