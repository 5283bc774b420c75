// Trains a tiny TensorFlow.js model in the page and tracks it with ml-dash, with no
// configuration: in a browser, `ml-dash` resolves to its browser entry, which keeps runs in
// IndexedDB. The chart is drawn from the values as they are logged.
//
// Afterwards the run can be downloaded as a `.dash` archive (`tar -xf` it next to your other
// runs and `ml-dash serve` shows it), or sent to a server while it trains: open the page with
// `?dashUrl=http://127.0.0.1:4000` (and `&token=…` when the server has one) and the run goes to
// `ml-dash serve` as well as IndexedDB.
import * as tf from "@tensorflow/tfjs";
import { Experiment } from "ml-dash";
import { indexedDBAdapter } from "ml-dash/adapters/indexeddb";
import { exportArchive } from "ml-dash/archive";
import { LossChart } from "./chart.ts";

const status = document.getElementById("status")!;
const chart = new LossChart(document.getElementById("chart") as unknown as SVGSVGElement);
const query = new URLSearchParams(location.search);
const epochs = Number(query.get("epochs") ?? 20);
const dashUrl = query.get("dashUrl") ?? undefined;
const token = query.get("token") ?? undefined;

await tf.setBackend("cpu");
const exp = new Experiment(`examples/tfjs/run-${Date.now()}`, {
  readme: "A dense network fitting y = 2x₁ − 3x₂ + 1 + noise, in the browser",
  tags: ["tfjs", "browser"],
  ...(dashUrl ? { dashUrl, ...(token ? { token } : {}) } : {}),
});
document.body.dataset["prefix"] = exp.prefix;

await exp.run(async (exp) => {
  const config = { epochs, batchSize: 32, lr: 0.05, hidden: 16 };
  exp.params.set({ ...config, backend: tf.getBackend() });

  const xs = tf.randomNormal([512, 2], 0, 1, "float32", 7);
  const noise = tf.randomNormal([512, 1], 0, 0.1, "float32", 8);
  const ys = xs.matMul(tf.tensor2d([[2], [-3]])).add(1).add(noise);
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [2], units: config.hidden, activation: "relu" }), tf.layers.dense({ units: 1 })],
  });
  model.compile({ optimizer: tf.train.adam(config.lr), loss: "meanSquaredError" });

  await model.fit(xs, ys, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    shuffle: false,
    callbacks: {
      onBatchEnd: async (batch, logs) => {
        exp.metrics("batch").buffer({ loss: logs?.["loss"] as number });
      },
      onEpochEnd: async (epoch, logs) => {
        const loss = logs?.["loss"] as number;
        exp.metrics("train").log({ loss, epoch });
        exp.metrics.buffer.logSummary("mean", "max", { epoch });
        chart.push(loss);
        status.textContent = `epoch ${epoch + 1}/${config.epochs}: loss ${loss.toFixed(4)}`;
      },
    },
  });
  const finalLoss = (model.evaluate(xs, ys) as tf.Scalar).dataSync()[0];
  exp.logs.info("training done", { finalLoss });
  tf.dispose([xs, ys, noise]);
  model.dispose();
});

status.textContent = `Done: ${epochs} epochs, run "${exp.prefix}" (${exp.status}) is in IndexedDB${dashUrl ? ` and on ${dashUrl}` : ""}.`;

// Take the run out of the browser: a tar of its `.dash` folder, as ML-Dash Python and `ml-dash serve` read it.
const download = document.getElementById("download") as HTMLButtonElement;
download.hidden = false;
download.onclick = async () => {
  const blob = await new Response(exportArchive(indexedDBAdapter(), exp.prefix)).blob();
  const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: `${exp.prefix.replace(/\//g, "_")}.tar` });
  a.click();
  URL.revokeObjectURL(a.href);
};
const next = document.getElementById("next")!;
next.hidden = false;
if (dashUrl) next.querySelector("[data-dash]")!.textContent = `Open ${dashUrl}/${exp.prefix} to see it in the dashboard.`;
document.body.dataset["done"] = "true";
