import { Experiment } from "../src/entries/node.ts";
import { memoryAdapter } from "../adapters/memory/index.ts";
const N = Number(process.argv[2] ?? 1_000_000);
const root = "/tmp/probe-" + Date.now();
const exp = new Experiment("bench/probe/run", { dashRoot: root, echo: false });
await exp.run.start();
const m = exp.metrics("train");
let t0 = performance.now();
for (let i = 0; i < N; i++) {
  m.log({ loss: 1 / (i + 1), acc: i / N, step: i });
  if ((i & 1023) === 1023) await new Promise((r) => setImmediate(r));
}
let t1 = performance.now();
await exp.flush();
let t2 = performance.now();
console.log(`log loop ${((t1 - t0) * 1000 / N).toFixed(3)} us/call; e2e ${(N / ((t2 - t0) / 1000) / 1e6).toFixed(2)} M points/s; flush tail ${(t2-t1).toFixed(0)}ms; rss ${(process.memoryUsage().rss/1e6).toFixed(0)}MB`);
await exp.run.complete();
