/**
 * The page script of the L1 test: TensorFlow.js trains in the browser and fitCallbacks logs to
 * the ML-Dash server the page came from (remote-only mode: dashUrl, no local store).
 * Bundled by the test with esbuild; sets `window.__trained` when the run has completed.
 */
import * as tf from "@tensorflow/tfjs";
import { Experiment } from "../../src/index.ts";
import { fitCallbacks } from "../../src/tfjs/index.ts";

const EPOCHS = 6;
const done = (globalThis as { __trained?: unknown });
try {
  await tf.setBackend("cpu");
  const xs = tf.randomNormal([256, 4], 0, 1, "float32", 3);
  const ys = xs.sum(1, true).greater(0).toFloat();
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 8, activation: "relu", inputShape: [4] }));
  model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
  model.compile({ optimizer: tf.train.adam(0.05), loss: "binaryCrossentropy", metrics: ["accuracy"] });
  const token = (globalThis as { __token?: string }).__token as string;
  const exp = new Experiment("alice/tfjs/browser-run", { dashUrl: location.origin, token, storage: null, echo: false });
  await exp.run(async (exp) => {
    await model.fit(xs, ys, { epochs: EPOCHS, batchSize: 32, validationSplit: 0.25, callbacks: fitCallbacks(exp, { every: "epoch", model }) });
  });
  done.__trained = { status: exp.status, epochs: EPOCHS };
} catch (err) {
  done.__trained = { error: String(err) };
}
