// A window's zero-config IndexedDB store is served by a worker: the storage contract through it,
// no IndexedDB value put on the page's thread by a run, and the page writing itself when no
// worker can start.
import { afterEach, describe, expect, test } from "vitest";
import { deleteDB } from "idb";
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";
import { browserRuntime, Experiment } from "../../src/runtime/browser/entry.ts";
import { encoderPoolFor } from "../../src/backends/local/encoder-pool.ts";
import { workerIndexedDB } from "../../src/runtime/browser/storage-worker.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";
import { storageContract } from "../contract/storage-contract.ts";

let counter = 0;
const names: string[] = [];
const unique = (): string => {
  const n = `mldash-served-${Date.now().toString(36)}-${counter++}`;
  names.push(n);
  return n;
};

storageContract("indexeddb (window, served by a worker)", async () => {
  const dbName = unique();
  return {
    adapter: workerIndexedDB(dbName, indexedDBAdapter({ dbName })),
    reopen: async () => workerIndexedDB(dbName, indexedDBAdapter({ dbName })),
    cleanup: () => deleteDB(dbName),
  };
});

/** Counts IndexedDB puts and adds made on this (the page's) thread while `fn` runs. */
async function pagePuts(fn: () => Promise<void>): Promise<number> {
  const proto = IDBObjectStore.prototype;
  const { put, add } = proto;
  let n = 0;
  proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore["put"]>) {
    n++;
    return put.apply(this, args);
  };
  proto.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore["add"]>) {
    n++;
    return add.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.put = put;
    proto.add = add;
  }
  return n;
}

async function loggedSteps(dbName: string, prefix: string): Promise<number[]> {
  const s = indexedDBAdapter({ dbName });
  try {
    const b = await s.read(`${prefix}/metrics/train/data.jsonl`);
    return b ? parseJsonLines(b).records.map((r) => (r as { data: { step: number } }).data.step) : [];
  } finally {
    await s.close();
  }
}

describe("the window's IndexedDB store", () => {
  afterEach(async () => {
    for (const n of names.splice(0)) await deleteDB(n);
  });

  test("a zero-config run in a window puts no IndexedDB value on the page's thread; every point is stored", async () => {
    expect(typeof document).toBe("object");
    const dbName = unique();
    const prefix = "alice/served/run-1";
    const puts = await pagePuts(async () => {
      const exp = new Experiment(prefix, { dashRoot: dbName, echo: false });
      await exp.run(async (e) => {
        e.params.set({ lr: 0.1 });
        for (let step = 0; step < 30_000; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
      });
      expect(exp.stats.dropped).toBe(0);
    });
    expect(puts).toBe(0);
    expect(await loggedSteps(dbName, prefix)).toEqual([...Array(30_000).keys()]);
  });

  test("a window leaves big batches to the encoder workers below the buffer's bound (a worker helps from a quarter)", async () => {
    const dbName = unique();
    const prefix = "alice/served/offload";
    // 90,000 points of ~32 bytes queued at once: over a quarter of the 4 MiB bound, under the bound.
    const exp = new Experiment(prefix, { dashRoot: dbName, echo: false, buffer: { maxQueueBytes: 4 * 2 ** 20 } });
    await exp.run.start();
    // The pool the run started (one per runtime); the spawn given here is not used once it exists.
    const pool = encoderPoolFor(browserRuntime, () => {
      throw new Error("the run did not start the pool");
    });
    expect(pool).toBeDefined();
    const before = pool!.offloaded;
    for (let step = 0; step < 90_000; step++) exp.metrics("train").log({ loss: 1 / (step + 1), step });
    await exp.flush();
    expect(pool!.offloaded - before).toBe(9); // every 10,000-point batch encoded on a worker
    await exp.run.complete();
    expect(await loggedSteps(dbName, prefix)).toEqual([...Array(90_000).keys()]);
  });

  test("where no worker can start, the page writes IndexedDB itself and nothing is lost", async () => {
    const dbName = unique();
    const realWorker = globalThis.Worker;
    (globalThis as { Worker: unknown }).Worker = function refused() {
      throw new DOMException("Refused by the Content Security Policy", "SecurityError");
    };
    let puts: number;
    try {
      const store = workerIndexedDB(dbName, indexedDBAdapter({ dbName }));
      puts = await pagePuts(async () => {
        await store.appendParts!("a/metrics/train/data.jsonl", [new TextEncoder().encode('{"index": 0, "data": {"step": 0}}\n')]);
        await store.append("a/metrics/train/data.jsonl", new TextEncoder().encode('{"index": 1, "data": {"step": 1}}\n'));
      });
      await store.close();
    } finally {
      globalThis.Worker = realWorker;
    }
    expect(puts).toBeGreaterThan(0);
    expect(await loggedSteps(dbName, "a")).toEqual([0, 1]);
  });
});
