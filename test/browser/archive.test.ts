// Taking a run out of the browser: a run in IndexedDB or OPFS is exported as a streamed tar
// archive of a .dash folder, handed to Node over loopback, extracted with GNU tar and read with
// node-fs + LocalReader, record for record; and imported back into another browser store.
import { describe, expect, inject, test } from "vitest";
import { commands } from "vitest/browser";
import { deleteDB } from "idb";
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";
import { opfsAdapter } from "../../adapters/opfs/index.ts";
import { exportArchive, importArchive } from "../../src/archive/index.ts";
import { Experiment } from "../../src/index.ts";
import type { StorageAdapter } from "../../src/storage/contract.ts";
import { snapshotRun } from "../support/run-snapshot.ts";

const PREFIX = "alice/browser-export/run-1";

async function writeRun(storage: StorageAdapter): Promise<void> {
  const exp = new Experiment(PREFIX, { storage, echo: false, readme: "exported from Chromium", tags: ["web"] });
  await exp.run(async (e) => {
    e.params.set({ lr: 3e-4, model: { layers: 4, name: "mlp — ünï" } });
    for (let step = 0; step < 2000; step++) {
      e.metrics("train").log({ loss: 1 / (step + 1), step, acc: step === 7 ? NaN : step / 2000 });
      if (step % 100 === 0) e.metrics("eval").log({ loss: 0.5, big: Infinity, step });
      if (step % 250 === 0) e.logs.info(`step ${step} ✓`, { step });
      if (step % 40 === 0) e.tracks("robot/pose").append({ x: step, y: -step, _ts: step / 10 });
    }
  });
  // A large file beside the records (several chunks in IndexedDB).
  await storage.write(`${PREFIX}/files/models/model.bin`, Uint8Array.from({ length: 3 * 1024 * 1024 + 123 }, (_, i) => (i * 13) & 255));
}

async function cleanup(storage: StorageAdapter, name: string): Promise<void> {
  await storage.close();
  if (storage.name === "indexeddb") await deleteDB(name);
  else await (await navigator.storage.getDirectory()).removeEntry(name, { recursive: true }).catch(() => undefined);
}

describe("export and import", () => {
  for (const kind of ["indexeddb", "opfs"] as const) {
    test(`a run in ${kind} exports as a .dash tar that Node reads record for record, and imports back`, async () => {
      const name = `mldash-export-${kind}-${Date.now().toString(36)}`;
      const source = kind === "indexeddb" ? indexedDBAdapter({ dbName: name }) : opfsAdapter({ root: name });
      const back = opfsAdapter({ root: `${name}-back` });
      try {
        await writeRun(source);
        const inBrowser = await snapshotRun(source, PREFIX);

        // Streamed out of the store into a Blob (which the browser may keep on disk), then to Node.
        const blob = await new Response(exportArchive(source, PREFIX)).blob();
        expect(blob.size % 512).toBe(0);
        const upload = await fetch(`${inject("testServerUrl")}/upload`, { method: "POST", body: blob });
        const { path, size } = (await upload.json()) as { path: string; size: number };
        expect(size).toBe(blob.size);
        const inNode = await commands.readDashArchive(path, PREFIX);
        expect(JSON.parse(inNode)).toEqual(JSON.parse(inBrowser));
        expect(JSON.parse(inNode).metrics.train.page.data).toHaveLength(2000);

        const keys = await importArchive(back, blob.stream());
        expect(keys).toEqual(await source.list(PREFIX));
        expect(await snapshotRun(back, PREFIX)).toBe(inBrowser);
      } finally {
        await cleanup(source, name);
        await cleanup(back, `${name}-back`);
      }
    }, 60_000);
  }
});
