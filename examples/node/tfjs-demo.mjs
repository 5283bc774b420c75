// The demo: a tiny TensorFlow.js model trains in Node, tracked by fitCallbacks with zero
// configuration (the run lands in ./.dash), and the dashboard serves ./.dash — open the URL it
// prints and watch train.loss / eval.loss (the chart updates live while it trains).
//
//   npm ci && npm run demo          in a terminal: keeps serving the dashboard until Ctrl-C
//   npm run demo -- --no-serve      train only (also the default when stdout is not a terminal,
//                                   so scripts and CI get a command that ends)
//   npm run demo -- --serve         serve even when stdout is not a terminal
import * as tf from "@tensorflow/tfjs";
import { Experiment } from "ml-dash";
import { serveDashboard } from "ml-dash/dashboard/node";
import { fitCallbacks } from "ml-dash/tfjs";

const serve = process.argv.includes("--serve") || (Boolean(process.stdout.isTTY) && !process.argv.includes("--no-serve"));
const dash = serve ? await serveDashboard({ root: ".dash", port: Number(process.env.ML_DASH_DASHBOARD_PORT ?? 4780) }) : undefined;
await tf.setBackend("cpu");

// Two interleaved spirals: a small problem a small MLP learns in a few seconds.
const n = 1000;
const points = [];
const labels = [];
for (let i = 0; i < n; i++) {
  const k = i % 2;
  const r = (i / n) * 3 + 0.2;
  const a = r * 2.2 + k * Math.PI;
  points.push([r * Math.cos(a) + 0.05 * Math.sin(i), r * Math.sin(a) + 0.05 * Math.cos(i)]);
  labels.push([k]);
}
const xs = tf.tensor2d(points);
const ys = tf.tensor2d(labels);
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 32, activation: "relu", inputShape: [2] }),
    tf.layers.dense({ units: 32, activation: "relu" }),
    tf.layers.dense({ units: 1, activation: "sigmoid" }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.02), loss: "binaryCrossentropy", metrics: ["accuracy"] });

const exp = new Experiment(`demo/tfjs/spirals-${new Date().toISOString().replace(/[:.]/g, "-")}`, {
  readme: "Two spirals, a 32-32 MLP, TensorFlow.js in Node",
  tags: ["demo", "tfjs"],
});
if (dash) console.log(`\ndashboard: ${dash.url}${exp.prefix}\n`);
await exp.run(async (exp) => {
  exp.params.set({ lr: 0.02, hidden: [32, 32], data: { kind: "spirals", n } });
  await model.fit(xs, ys, { epochs: 40, batchSize: 32, validationSplit: 0.2, shuffle: true, verbose: 0, callbacks: fitCallbacks(exp, { model, every: "yield" }) });
});
console.log(`run ${exp.prefix} ${exp.status} — stored in ./.dash/${exp.prefix}`);
if (dash) console.log(`dashboard still serving at ${dash.url} (Ctrl-C to stop)`);
else console.log("see it in the dashboard: npm run serve   (ml-dash serve over ./.dash; open the URL it prints)");
