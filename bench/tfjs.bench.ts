/**
 * Overhead of `fitCallbacks(exp, { every: "epoch" })` on `model.fit` (tfjs CPU backend, Node):
 * fits without callbacks and with them alternate in one process (same JIT, same machine load),
 * median of `reps` each. The run writes to a node-fs store in a temp folder.
 *   node .bench-out/tfjs.bench.mjs <samples> <epochs> <reps> [mode]
 */
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Experiment } from "ml-dash/core";
import { nodeFsAdapter } from "ml-dash/adapters/node-fs";
import { fitCallbacks } from "ml-dash/tfjs";

const [samples = 2048, epochs = 5, reps = 3] = process.argv.slice(2, 5).map(Number);
const mode = (process.argv[5] ?? "epoch") as "epoch" | "yield" | "batch";
await tf.setBackend("cpu");
const xs = tf.randomNormal([samples, 32], 0, 1, "float32", 1);
const ys = tf.randomUniform([samples, 1], 0, 1, "float32", 2).round();
const root = mkdtempSync(join(tmpdir(), "tfjs-bench-"));

function makeModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 64, activation: "relu", inputShape: [32] }));
  m.add(tf.layers.dense({ units: 64, activation: "relu" }));
  m.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
  m.compile({ optimizer: "adam", loss: "binaryCrossentropy", metrics: ["accuracy"] });
  return m;
}

async function fit(withCallbacks: boolean, k: number): Promise<number> {
  const m = makeModel();
  const exp = withCallbacks ? await new Experiment(`bench/tfjs/run-${k}`, { storage: nodeFsAdapter({ root }), echo: false }).run.start() : undefined;
  const t0 = performance.now();
  await m.fit(xs, ys, { epochs, batchSize: 32, validationSplit: 0.2, ...(exp ? { callbacks: fitCallbacks(exp, { every: mode, model: m }) } : {}) });
  const ms = performance.now() - t0;
  await exp?.run.complete();
  m.dispose();
  return ms;
}

await fit(false, -1); // warm-up: JIT and tfjs kernels
const none: number[] = [];
const withCb: number[] = [];
for (let k = 0; k < reps; k++) {
  none.push(await fit(false, k));
  withCb.push(await fit(true, k));
}
rmSync(root, { recursive: true, force: true });
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;
const a = median(none);
const b = median(withCb);
console.log(JSON.stringify({ samples, epochs, reps, mode, batches: Math.ceil((samples * 0.8) / 32) * epochs, noneMs: Math.round(a), withMs: Math.round(b), overheadPct: +(((b - a) / a) * 100).toFixed(1) }));
