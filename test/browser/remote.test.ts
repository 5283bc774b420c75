// Remote and hybrid runs from a page, against our ML-Dash server on 127.0.0.1 (vitest's
// globalSetup): the remote half is loaded on demand in the browser, and a page being hidden
// hands what the server has not acknowledged to keepalive requests.
import { afterEach, describe, expect, inject, test } from "vitest";
import { deleteDB } from "idb";
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";
import { Experiment } from "../../src/runtime/browser/entry.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";

const url = inject("mlDashUrl");
const names: string[] = [];
afterEach(async () => {
  for (const n of names.splice(0)) await deleteDB(n);
});

async function eventually(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("remote from a page", () => {
  test("remote-only: the run reaches the server over loopback and reads back from it", async () => {
    const prefix = `web/remote/run-${Date.now().toString(36)}`;
    const exp = new Experiment(prefix, { dashUrl: url, token: "t", storage: null, echo: false });
    expect(exp.mode).toBe("remote");
    await exp.run(async (e) => {
      e.params.set({ lr: 0.5, model: { depth: 3 } });
      for (let step = 0; step < 100; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
      e.logs.info("from a page");
    });
    expect(exp.stats).toMatchObject({ sent: 101, dropped: 0 }); // 100 points and a log line
    const again = await new Experiment(prefix, { dashUrl: url, token: "t", storage: null, echo: false }).run.start();
    expect(again.params.get()).toMatchObject({ lr: 0.5, "model.depth": 3 });
    const page = await again.metrics("train").read({ limit: 1000 });
    expect(page.data.map((p) => p.index)).toEqual([...Array(100).keys()]);
    await again.run.complete();
  });

  test("hybrid with zero config (IndexedDB + server): pagehide sends what the server lacks with keepalive, then flushes", async () => {
    const dbName = `mldash-hybrid-${Date.now().toString(36)}`;
    names.push(dbName);
    const prefix = `web/hybrid/run-${Date.now().toString(36)}`;
    const exp = new Experiment(prefix, { dashUrl: url, token: "t", dashRoot: dbName, echo: false, buffer: { flushIntervalMs: 600_000 } });
    expect(exp.mode).toBe("hybrid");
    await exp.run.start();
    const calls: number[] = [];
    const unload = exp._flushForUnload.bind(exp);
    exp._flushForUnload = () => {
      const r = unload();
      calls.push(r?.records ?? -1);
      return r;
    };
    // Records are numbered from the stream's durable cursor, known after its first flush.
    exp.metrics("train").log({ loss: -1, step: -1 });
    await exp.flush();
    for (let step = 0; step < 50; step++) exp.metrics("train").log({ loss: step, step });
    globalThis.dispatchEvent(new Event("pagehide"));
    expect(calls).toEqual([50]); // synchronously, in the event: all 50 fit the keepalive budget
    await eventually(() => exp.stats.sent >= 51);
    const store = indexedDBAdapter({ dbName });
    await eventually(async () => {
      const b = await store.read(`${prefix}/metrics/train/data.jsonl`);
      return b !== null && parseJsonLines(b).records.length === 51;
    });
    await store.close();
    expect(exp.status).toBe("RUNNING");
    await exp.run.complete();
    expect(exp.stats.dropped).toBe(0);
  });
});
