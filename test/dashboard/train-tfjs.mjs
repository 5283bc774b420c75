// Trains a tiny TensorFlow.js model in Node with fitCallbacks, writing a local .dash run
// (the README's demo does the same). Usage: node test/dashboard/train-tfjs.mjs <root> <prefix> <epochs>
import * as tf from "@tensorflow/tfjs";
import { Experiment } from "../../dist/index.js";
import { nodeFsAdapter } from "../../dist/adapters/node-fs.js";
import { fitCallbacks } from "../../dist/tfjs.js";

const [root, prefix, epochs = "8"] = process.argv.slice(2);
await tf.setBackend("cpu");
const xs = tf.randomNormal([512, 4], 0, 1, "float32", 7);
const ys = xs.sum(1, true).greater(0).toFloat();
const model = tf.sequential();
model.add(tf.layers.dense({ units: 16, activation: "relu", inputShape: [4] }));
model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
model.compile({ optimizer: tf.train.adam(0.02), loss: "binaryCrossentropy", metrics: ["accuracy"] });
const exp = new Experiment(prefix, { storage: nodeFsAdapter({ root }), echo: false, readme: "tfjs in Node" });
await exp.run(async (exp) => {
  await model.fit(xs, ys, { epochs: Number(epochs), batchSize: 32, validationSplit: 0.2, verbose: 0, callbacks: fitCallbacks(exp, { model }) });
});
console.log(`trained ${prefix}: ${exp.status}`);
