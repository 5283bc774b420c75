/** A tiny TensorFlow.js model trained on the CPU backend, saved through ml-dash files, loaded back. */
import * as tf from "@tensorflow/tfjs";
import { expect, test } from "vitest";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { Experiment, NotFoundError } from "../../src/index.ts";

test("model.save(exp.files(dir).tfjs(name)) → tf.loadLayersModel gives identical predictions", async () => {
  await tf.setBackend("cpu");
  await tf.ready();
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 8, activation: "relu", inputShape: [4] }));
  model.add(tf.layers.dense({ units: 3, activation: "softmax" }));
  model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
  const xs = tf.randomNormal([64, 4], 0, 1, "float32", 7);
  const ys = tf.oneHot(tf.randomUniform([64], 0, 3, "int32", 3), 3);
  await model.fit(xs, ys, { epochs: 3, batchSize: 16, verbose: 0 });

  const storage = memoryAdapter();
  const exp = await new Experiment("alice/mnist/tfjs", { storage, echo: false }).run.start();
  const result = await model.save(exp.files("models", { tags: ["tfjs"] }).tfjs("mnist"));
  expect(result.modelArtifactsInfo.weightDataBytes).toBe((4 * 8 + 8 + 8 * 3 + 3) * 4);
  const files = await exp.files("models/mnist").list();
  expect(files.map((f) => [f.path, f.filename, f.contentType, f.tags])).toEqual([
    ["/models/mnist", "weights.bin", "application/octet-stream", ["tfjs"]],
    ["/models/mnist", "model.json", "application/json", ["tfjs"]],
  ]);
  const json = await exp.files("models/mnist/model.json").readJson<{ weightsManifest: { paths: string[]; weights: { name: string }[] }[]; format: string }>();
  expect(json.weightsManifest[0]?.paths).toEqual(["./weights.bin"]);
  expect(json.weightsManifest[0]?.weights.length).toBe(4);
  expect(json.format).toBe("layers-model");

  const loaded = await tf.loadLayersModel(exp.files("models").tfjs("mnist"));
  const probe = tf.randomNormal([10, 4], 0, 1, "float32", 11);
  const a = (model.predict(probe) as tf.Tensor).dataSync();
  const b = (loaded.predict(probe) as tf.Tensor).dataSync();
  expect(Array.from(b)).toEqual(Array.from(a));

  // Saving again overwrites both files (Python's overwrite rule), and a missing model is NotFoundError.
  await model.save(exp.files("models").tfjs("mnist"));
  expect((await exp.files("models/mnist").list()).length).toBe(2);
  await expect(tf.loadLayersModel(exp.files("models").tfjs("nope"))).rejects.toBeInstanceOf(NotFoundError);
  await exp.run.complete();
  tf.dispose([xs, ys, probe]);
}, 60_000);
