import { Experiment } from "../src/index.ts";
import { memoryAdapter } from "../adapters/memory/index.ts";
const N = 1_000_000;
const exp = new Experiment("bench/probe/run", { storage: memoryAdapter(), echo: false, buffer: { maxQueueBytes: 2 ** 31 } });
await exp.run.start();
const m = exp.metrics("train");
for (let r = 0; r < 3; r++) {
  let t0 = performance.now();
  for (let i = 0; i < N; i++) m.log({ loss: 1 / (i + 1), acc: i / N, step: i });
  let t1 = performance.now();
  console.log(`hot ${((t1 - t0) * 1000 / N).toFixed(3)} us/call`);
  let t2 = performance.now();
  await exp.flush();
  console.log(`flush ${((performance.now() - t2) * 1000 / N).toFixed(3)} us/point`);
}
