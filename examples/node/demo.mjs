// The zero-config demo: train a tiny logistic-regression model in plain JavaScript and track it
// with ml-dash. No options, no server: the run lands in ./.dash, in ML-Dash's layout.
//
//   npm ci && npm run demo
import { Experiment } from "ml-dash";
import { resolve } from "node:path";

// A toy dataset: two Gaussian blobs in 2-D.
function makeData(n, seed = 7) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: n }, (_, i) => {
    const y = i % 2;
    return { x: [gauss() + (y ? 1.5 : -1.5), gauss() + (y ? 1 : -1)], y };
  });
}

const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const train = makeData(2000);
const evalSet = makeData(400, 99);
const config = { lr: 0.1, epochs: 20, batchSize: 32, model: { kind: "logistic", features: 2 } };

const exp = new Experiment(`demo/logreg/run-${new Date().toISOString().replace(/[:.]/g, "-")}`, {
  readme: "Logistic regression on two Gaussian blobs (the ml-dash demo)",
  tags: ["demo", "logreg"],
});

await exp.run(async (exp) => {
  exp.params.set(config);
  exp.logs.info("Training started", { samples: train.length });
  let w = [0, 0];
  let b = 0;
  let step = 0;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    for (let i = 0; i < train.length; i += config.batchSize) {
      const batch = train.slice(i, i + config.batchSize);
      const g = [0, 0];
      let gb = 0;
      let loss = 0;
      for (const { x, y } of batch) {
        const p = sigmoid(w[0] * x[0] + w[1] * x[1] + b);
        loss -= y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12);
        g[0] += (p - y) * x[0];
        g[1] += (p - y) * x[1];
        gb += p - y;
      }
      w = [w[0] - (config.lr * g[0]) / batch.length, w[1] - (config.lr * g[1]) / batch.length];
      b -= (config.lr * gb) / batch.length;
      exp.metrics("train").buffer({ loss: loss / batch.length });
      exp.tracks("model/weights").append({ w0: w[0], w1: w[1], b, step: step++ });
    }
    const evalLoss = evalSet.reduce((s, { x, y }) => {
      const p = sigmoid(w[0] * x[0] + w[1] * x[1] + b);
      return s - (y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12));
    }, 0) / evalSet.length;
    const acc = evalSet.filter(({ x, y }) => (sigmoid(w[0] * x[0] + w[1] * x[1] + b) > 0.5 ? 1 : 0) === y).length / evalSet.length;
    exp.metrics.buffer.logSummary("mean", "min", "max", { epoch });
    exp.metrics.log({ epoch, eval: { loss: evalLoss, accuracy: acc } });
    if (epoch % 5 === 4) exp.logs.info(`Epoch ${epoch + 1} done`, { evalLoss, acc });
  }
  exp.logs.info("Training finished", { w, b });
});

const where = resolve(".dash", exp.prefix);
const stats = exp.stats;
console.log(`\nRun ${exp.prefix} ${exp.status}: ${stats.written} records, ${(stats.bytes / 1024).toFixed(1)} KiB`);
console.log(`Stored in ${where}`);
console.log("See it in the dashboard: npm run serve   (ml-dash serve over ./.dash), then open the URL it prints");
console.log(`  or from the command line: node dist/cli.js ls .dash`);
