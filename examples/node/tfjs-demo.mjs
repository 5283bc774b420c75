// The demo: a tiny TensorFlow.js model trains in Node, tracked by fitCallbacks with zero
// configuration (the run lands in ./.dash), and the dashboard serves ./.dash — open the URL it
// prints and watch train.loss / eval.loss (the chart updates live while it trains).
//
//   npm ci && npm run demo          in a terminal: keeps serving the dashboard until Ctrl-C
//   npm run demo -- --no-serve      train only (also the default when stdout is not a terminal,
//                                   so scripts and CI get a command that ends)
//   npm run demo -- --serve         serve even when stdout is not a terminal
//   npm run demo -- --epochs 100    train for 100 epochs (default: 400 while serving, else 40)
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
// Points are generated from the centre outwards, and validationSplit takes the *last* 20%: without
// this shuffle the model would be checked only on the outer turns it never saw (eval loss rising
// from 6.6 to 13.6). A seeded Fisher–Yates keeps the demo repeatable.
let seed = 17;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
for (let i = n - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [points[i], points[j]] = [points[j], points[i]];
  [labels[i], labels[j]] = [labels[j], labels[i]];
}
// In a terminal (dashboard open) it trains for about a minute so the charts can be watched live;
// otherwise (scripts, CI) 40 epochs. `--epochs N` chooses.
const flag = process.argv.indexOf("--epochs");
const epochs = flag > 0 ? Number(process.argv[flag + 1]) : dash ? 400 : 40;
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
  exp.params.set({ lr: 0.02, hidden: [32, 32], epochs, data: { kind: "spirals", n, shuffled: true } });
  await model.fit(xs, ys, { epochs, batchSize: 32, validationSplit: 0.2, shuffle: true, verbose: 0, callbacks: fitCallbacks(exp, { model, every: "yield" }) });
});
console.log(`run ${exp.prefix} ${exp.status} — stored in ./.dash/${exp.prefix}`);
if (dash) console.log(`dashboard still serving at ${dash.url} (Ctrl-C to stop)`);
else console.log("see it in the dashboard: npm run serve   (ml-dash serve over ./.dash; open the URL it prints)");
