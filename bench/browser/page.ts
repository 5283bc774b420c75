// Window side of the browser benchmark: `runBench(...)` measures in the window itself or in a
// dedicated worker it starts from /worker.js.
import type { PointsResult } from "../points.ts";
import { benchStore, type BenchStore } from "./stores.ts";

interface Job {
  readonly store: BenchStore;
  readonly context: "window" | "worker";
  readonly n: number;
  readonly repeat: number;
}

async function inWorker(job: Job): Promise<PointsResult> {
  const w = new Worker("/worker.js", { type: "module" });
  try {
    return await new Promise((resolve, reject) => {
      w.onmessage = (e: MessageEvent<{ ok: boolean; result?: PointsResult; error?: string }>) => (e.data.ok ? resolve(e.data.result!) : reject(new Error(e.data.error)));
      w.onerror = (e) => reject(new Error(e.message));
      w.postMessage({ store: job.store, n: job.n, repeat: job.repeat });
    });
  } finally {
    w.terminate();
  }
}

(globalThis as { runBench?: (job: Job) => Promise<PointsResult> }).runBench = (job) =>
  job.context === "window" ? benchStore(job.store, job.n, job.repeat) : inWorker(job);
