// A dedicated worker that writes one run (metrics, logs, a track, params) into IndexedDB or
// OPFS, flushing often, so two of them interleave their appends on the same prefix.
import { indexedDBAdapter } from "../../../adapters/indexeddb/index.ts";
import { opfsAdapter } from "../../../adapters/opfs/index.ts";
import { Experiment } from "../../../src/index.ts";

export interface WriterJob {
  readonly store: "indexeddb" | "opfs";
  readonly name: string;
  readonly prefix: string;
  readonly who: number;
  readonly points: number;
  readonly flushEvery: number;
}

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WriterJob | "ping">) => void) | null; postMessage(m: unknown): void };

scope.onmessage = async (e) => {
  if (e.data === "ping") return scope.postMessage("ready");
  const job = e.data;
  try {
    const storage = job.store === "indexeddb" ? indexedDBAdapter({ dbName: job.name }) : opfsAdapter({ root: job.name });
    const exp = new Experiment(job.prefix, { storage, echo: false, buffer: { flushIntervalMs: 5 } });
    await exp.run.start();
    exp.params.set({ [`writer${job.who}`]: { started: true, io: "ioMode" in storage ? await storage.ioMode() : "idb" } });
    for (let i = 0; i < job.points; i++) {
      exp.metrics("train").log({ who: job.who, i, loss: 1 / (i + 1) });
      if (i % 10 === 0) exp.logs.info(`writer ${job.who} at ${i}`, { who: job.who, i });
      if (i % 25 === 0) exp.tracks("pose").append({ who: job.who, i });
      if (i % job.flushEvery === job.flushEvery - 1) await exp.flush();
    }
    exp.params.set({ [`writer${job.who}`]: { done: true } });
    await exp.run.complete();
    await storage.close();
    scope.postMessage({ ok: true });
  } catch (err) {
    scope.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) });
  }
};
