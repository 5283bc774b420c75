// Logs a small training run from Deno with zero configuration: `@ml-dash/sdk` (the package's JSR
// name; from npm it is `npm:ml-dash`) resolves to its Deno entry, which writes ./.dash through
// deno-fs, in the layout ML-Dash Python reads.
//
//   deno run -A examples/deno/train.ts        (from the repository, whose deno.json names it)
import { Experiment } from "@ml-dash/sdk";

// Fit y = 3x − 1 with stochastic gradient descent.
const data = Array.from({ length: 256 }, (_, i) => {
  const x = (i / 256) * 4 - 2;
  return { x, y: 3 * x - 1 + Math.sin(i * 12.9898) * 0.1 };
});

const exp = new Experiment(`examples/deno/sgd-${new Date().toISOString().replace(/[:.]/g, "-")}`, {
  readme: "Linear regression by SGD, logged from Deno",
  tags: ["deno", "sgd"],
});

await exp.run(async (exp) => {
  const config = { lr: 0.05, epochs: 30, batchSize: 16 };
  exp.params.set({ ...config, runtime: { deno: Deno.version.deno } });
  let w = 0;
  let b = 0;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    for (let i = 0; i < data.length; i += config.batchSize) {
      const batch = data.slice(i, i + config.batchSize);
      let gw = 0;
      let gb = 0;
      let loss = 0;
      for (const { x, y } of batch) {
        const err = w * x + b - y;
        loss += err * err;
        gw += 2 * err * x;
        gb += 2 * err;
      }
      w -= (config.lr * gw) / batch.length;
      b -= (config.lr * gb) / batch.length;
      exp.metrics("train").buffer({ loss: loss / batch.length });
    }
    exp.metrics.buffer.logSummary("mean", "min", { epoch });
    exp.metrics("weights").log({ w, b, epoch });
    if (epoch % 10 === 0) exp.logs.info(`epoch ${epoch}`, { w, b });
  }
  exp.logs.info("done", { w, b });
});

console.log(`Run "${exp.prefix}" is in ./.dash/${exp.prefix} (${exp.status})`);
