// Several writers, one run: two dedicated workers write the same prefix of one origin's store
// at once. Web Locks serialise their appends per stream, and each re-reads the stream's cursor
// under the lock, so every record is kept once and numbering stays gap-free.
import { describe, expect, test } from "vitest";
import { commands } from "vitest/browser";
import { deleteDB } from "idb";
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";
import { opfsAdapter } from "../../adapters/opfs/index.ts";
import { parseJsonLines, parsePyJson } from "../../src/layout/py-json-parse.ts";
import type { StorageAdapter } from "../../src/storage/contract.ts";
import type { WriterJob } from "./worker/writer.ts";

const code = commands.bundleWorker("test/browser/worker/writer.ts");

async function startWriter(): Promise<Worker> {
  const url = URL.createObjectURL(new Blob([await code], { type: "text/javascript" }));
  const w = new Worker(url, { type: "module" });
  await new Promise<void>((resolve, reject) => {
    w.onmessage = () => resolve();
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage("ping");
  });
  return w;
}

function runJob(w: Worker, job: WriterJob): Promise<void> {
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<{ ok: boolean; error?: string }>) => (e.data.ok ? resolve() : reject(new Error(e.data.error)));
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(job);
  });
}

const dec = new TextDecoder();
async function lines<T>(s: StorageAdapter, key: string): Promise<T[]> {
  const b = await s.read(key);
  expect(b, key).not.toBeNull();
  const parsed = parseJsonLines<T>(b!);
  expect(parsed.skipped).toBe(0);
  return parsed.records;
}
async function doc(s: StorageAdapter, key: string): Promise<Record<string, unknown>> {
  return parsePyJson(dec.decode((await s.read(key))!)) as Record<string, unknown>;
}

describe("several writers, one run", () => {
  for (const store of ["indexeddb", "opfs"] as const) {
    test(`two dedicated workers writing one prefix in ${store}: every record once, numbering gap-free`, async () => {
      const name = `mldash-shared-${store}-${Date.now().toString(36)}`;
      const prefix = "team/shared/run-1";
      const points = 600;
      const [a, b] = await Promise.all([startWriter(), startWriter()]);
      try {
        const job = { store, name, prefix, points, flushEvery: 20 };
        await Promise.all([runJob(a, { ...job, who: 1 }), runJob(b, { ...job, who: 2 })]);
      } finally {
        a.terminate();
        b.terminate();
      }
      const s = store === "indexeddb" ? indexedDBAdapter({ dbName: name }) : opfsAdapter({ root: name });
      try {
        const metrics = await lines<{ index: number; data: { who: number; i: number } }>(s, `${prefix}/metrics/train/data.jsonl`);
        expect(metrics.map((m) => m.index)).toEqual(Array.from({ length: 2 * points }, (_, i) => i));
        for (const who of [1, 2]) {
          // each writer's points are all there, once, in the order it logged them
          expect(metrics.filter((m) => m.data.who === who).map((m) => m.data.i)).toEqual(Array.from({ length: points }, (_, i) => i));
        }
        const whoOrder = metrics.map((m) => m.data.who).join("");
        expect(whoOrder).toMatch(/1+2+1+|2+1+2+/); // the writers really interleaved
        const meta = await doc(s, `${prefix}/metrics/train/metadata.json`);
        expect(meta).toMatchObject({ totalDataPoints: 2 * points, nextIndex: 2 * points });

        const logs = await lines<{ sequenceNumber: number; metadata: { who: number; i: number } }>(s, `${prefix}/logs/logs.jsonl`);
        expect(logs.map((l) => l.sequenceNumber)).toEqual(Array.from({ length: logs.length }, (_, i) => i));
        expect(logs.filter((l) => l.metadata?.who === 1)).toHaveLength(points / 10);
        expect(logs.filter((l) => l.metadata?.who === 2)).toHaveLength(points / 10);
        expect(dec.decode((await s.read(`${prefix}/logs/.log_sequence`))!).trim()).toBe(String(logs.length));

        const track = await lines<{ who: number; i: number }>(s, `${prefix}/tracks/pose/data.jsonl`);
        expect(track).toHaveLength(2 * (points / 25));
        expect(await doc(s, `${prefix}/tracks/pose/metadata.json`)).toMatchObject({ totalEntries: track.length });

        const params = (await doc(s, `${prefix}/parameters.json`))["data"];
        expect(params).toMatchObject({ "writer1.started": true, "writer1.done": true, "writer2.started": true, "writer2.done": true });
        expect((await doc(s, `${prefix}/experiment.json`))["status"]).toBe("COMPLETED");
      } finally {
        await s.close();
        if (store === "indexeddb") await deleteDB(name);
        else await (await navigator.storage.getDirectory()).removeEntry(name, { recursive: true });
      }
    }, 120_000);
  }
});
