/**
 * `ml-dash/tfjs` with real TensorFlow.js (CPU backend) training in Node and writing a local
 * `.dash`: what lands in `train`/`eval`/`train_batch`, params, logs, non-finite losses, options.
 */
import * as tf from "@tensorflow/tfjs";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { ExperimentNotStartedError, ValidationError } from "../../src/errors.ts";
import { Experiment } from "../../src/api/experiment.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";
import { fitCallbacks } from "../../src/tfjs/index.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** TensorFlow.js trains models on its CPU backend: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

let root: string;
beforeAll(async () => {
  await tf.setBackend("cpu");
  root = tempDir("tfjs");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function data(n = 256, seed = 3): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  let s = seed;
  const r = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const x = Array.from({ length: n }, () => [r() * 2 - 1, r() * 2 - 1]);
  return { xs: tf.tensor2d(x), ys: tf.tensor2d(x.map(([a, b]) => [(a as number) + (b as number) > 0 ? 1 : 0])) };
}

function model(lr = 0.05): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 8, activation: "relu", inputShape: [2] }));
  m.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
  m.compile({ optimizer: tf.train.adam(lr), loss: "binaryCrossentropy", metrics: ["accuracy"] });
  return m;
}

function lines(dir: string, metric: string): Record<string, unknown>[] {
  return parseJsonLines<{ data: Record<string, unknown> }>(readFileSync(join(root, dir, "metrics", metric, "data.jsonl"))).records.map((r) => r.data);
}

describe("fitCallbacks (Node, CPU backend, local .dash)", () => {
  test("epoch mode: one train and one eval point per epoch (val_ stripped, same _ts), params and start/end logs", async () => {
    const exp = new Experiment("alice/tfjs/epochs", { storage: nodeFsAdapter({ root }), echo: false });
    await exp.run(async (exp) => {
      const { xs, ys } = data();
      const m = model();
      await m.fit(xs, ys, { epochs: 5, batchSize: 32, validationSplit: 0.25, callbacks: fitCallbacks(exp, { model: m }) });
    });
    const train = lines("alice/tfjs/epochs", "train");
    const ev = lines("alice/tfjs/epochs", "eval");
    expect(train.map((p) => p["epoch"])).toEqual([0, 1, 2, 3, 4]);
    expect(ev.map((p) => p["epoch"])).toEqual([0, 1, 2, 3, 4]);
    // 192 training samples / 32 = 6 batches an epoch.
    expect(train.map((p) => p["step"])).toEqual([6, 12, 18, 24, 30]);
    for (const [t, e] of train.map((p, i) => [p, ev[i] as Record<string, unknown>] as const)) {
      expect(Object.keys(t).sort()).toEqual(["_ts", "acc", "epoch", "loss", "step"]);
      expect(Object.keys(e).sort()).toEqual(["_ts", "acc", "epoch", "loss", "step"]);
      expect(typeof t["loss"]).toBe("number");
      expect(e["_ts"]).toBe(t["_ts"]);
    }
    const params = JSON.parse(readFileSync(join(root, "alice/tfjs/epochs/parameters.json"), "utf8")).data;
    expect(params).toMatchObject({ "tfjs.epochs": 5, "tfjs.batchSize": 32, "tfjs.samples": 192, "model.layers": 2, "model.params": 33 });
    const logs = readFileSync(join(root, "alice/tfjs/epochs/logs/logs.jsonl"), "utf8");
    expect(logs).toContain("fit started");
    expect(logs).toContain("fit finished");
    expect(exp.status).toBe("COMPLETED");
  }, IO_TIMEOUT_MS);

  test("the run's lifecycle stays with the user: after fit the run is still RUNNING; a second fit continues the step", async () => {
    const exp = await new Experiment("alice/tfjs/twice", { storage: memoryAdapter(), echo: false }).run.start();
    const cb = fitCallbacks(exp);
    const { xs, ys } = data(64);
    const m = model();
    await m.fit(xs, ys, { epochs: 2, batchSize: 32, callbacks: cb });
    expect(exp.status).toBe("RUNNING");
    await m.fit(xs, ys, { epochs: 1, batchSize: 32, callbacks: cb });
    const page = await exp.metrics("train").read();
    expect(page.data.map((p) => p.data["step"])).toEqual([2, 4, 6]);
    expect(page.data.map((p) => p.data["epoch"])).toEqual([0, 1, 0]);
    await exp.run.complete();
  }, IO_TIMEOUT_MS);

  test("batch, every-N and yield modes write train_batch with a run-wide step", async () => {
    const exp = await new Experiment("alice/tfjs/batches", { storage: memoryAdapter(), echo: false }).run.start();
    const { xs, ys } = data(128);
    await model().fit(xs, ys, { epochs: 2, batchSize: 32, callbacks: fitCallbacks(exp, { every: "batch" }) });
    const batch = (await exp.metrics("train_batch").read()).data.map((p) => p.data);
    expect(batch.map((p) => p["step"])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(batch.map((p) => p["batch"])).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(batch.map((p) => p["epoch"])).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect((await exp.metrics("train").read()).data.map((p) => p.data["step"])).toEqual([4, 8]);

    const exp2 = await new Experiment("alice/tfjs/every3", { storage: memoryAdapter(), echo: false }).run.start();
    await model().fit(xs, ys, { epochs: 2, batchSize: 32, callbacks: fitCallbacks(exp2, { every: 3 }) });
    expect((await exp2.metrics("train_batch").read()).data.map((p) => p.data["step"])).toEqual([3, 6]);

    const exp3 = await new Experiment("alice/tfjs/yield", { storage: memoryAdapter(), echo: false }).run.start();
    const t0 = Date.now();
    await model().fit(xs, ys, { epochs: 3, batchSize: 8, yieldEvery: 20, callbacks: fitCallbacks(exp3, { every: "yield" }) });
    const ms = Date.now() - t0;
    const yielded = (await exp3.metrics("train_batch").read({ limit: 10_000 })).data;
    expect(yielded.length).toBeGreaterThan(0);
    expect(yielded.length).toBeLessThanOrEqual(Math.ceil(ms / 20) + 3);
    await Promise.all([exp.run.complete(), exp2.run.complete(), exp3.run.complete()]);
  }, IO_TIMEOUT_MS);

  test("a NaN loss warns once, and onNonFinite: 'stop' stops training", async () => {
    const exp = await new Experiment("alice/tfjs/nan", { storage: memoryAdapter(), echo: false }).run.start();
    const { xs } = data(64);
    const bad = tf.fill([64, 1], NaN) as tf.Tensor2D;
    const m = model();
    const h = await m.fit(xs, bad, { epochs: 5, batchSize: 32, callbacks: fitCallbacks(exp, { model: m, onNonFinite: "stop" }) });
    expect(h.epoch.length).toBe(1);
    expect((await exp.logs.read()).filter((l) => l.level === "warn").length).toBe(1);
    const page = await exp.metrics("train").read();
    expect(Number.isNaN(page.data[0]?.data["loss"])).toBe(true);
    await exp.run.complete();

    const exp2 = await new Experiment("alice/tfjs/nan-warn", { storage: nodeFsAdapter({ root }), echo: false }).run.start();
    await model().fit(xs, bad, { epochs: 3, batchSize: 32, callbacks: fitCallbacks(exp2) });
    await exp2.run.complete();
    const logs = readFileSync(join(root, "alice/tfjs/nan-warn/logs/logs.jsonl"), "utf8").split("\n").filter((l) => l.includes('"warn"'));
    expect(logs.length).toBe(1);
    expect(logs[0]).toContain("loss is NaN at epoch 0");
    expect(readFileSync(join(root, "alice/tfjs/nan-warn/metrics/train/data.jsonl"), "utf8")).toContain('"loss": NaN');
  }, IO_TIMEOUT_MS);

  test("bad options and an unstarted run fail at the call, naming the problem", async () => {
    const exp = new Experiment("alice/tfjs/bad", { storage: memoryAdapter(), echo: false });
    expect(() => fitCallbacks(exp)).toThrow(ExperimentNotStartedError);
    await exp.run.start();
    expect(() => fitCallbacks(exp, { every: 0 })).toThrow(ValidationError);
    expect(() => fitCallbacks(exp, { every: "sometimes" as never })).toThrow(/"every"/);
    expect(() => fitCallbacks(exp, { onNonFinite: "stop" })).toThrow(/needs the model option/);
    // tfjs itself refuses onYield with yieldEvery: 'never', with a clear message.
    const { xs, ys } = data(32);
    await expect(model().fit(xs, ys, { epochs: 1, yieldEvery: "never", callbacks: fitCallbacks(exp, { every: "yield" }) })).rejects.toThrow(/yieldEvery is `never`/);
    // Epoch mode registers no batch handler (which would make tfjs read every batch back).
    expect(Object.keys(fitCallbacks(exp)).sort()).toEqual(["onEpochBegin", "onEpochEnd", "onTrainBegin", "onTrainEnd"]);
    await exp.run.complete();
  }, IO_TIMEOUT_MS);
});
