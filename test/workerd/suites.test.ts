// The storage contract and the behaviour suite inside workerd (Cloudflare's runtime), against
// the memory store; and the zero-config workerd entry.
import { expect, inject, test } from "vitest";
import { Experiment } from "../../src/runtime/workerd/entry.ts";
import { behaviourSuite, unitSuites } from "../behaviour/index.ts";
import { storageContract } from "../contract/storage-contract.ts";
import { memoryFixture } from "../support/memory-fixture.ts";

test("runs inside workerd", () => {
  expect(navigator.userAgent).toBe("Cloudflare-Workers");
});

test("zero config: the run is kept in memory, and a second Experiment on the prefix resumes it", async () => {
  const a = new Experiment("edge/proj/run-1", { echo: false });
  expect(a.mode).toBe("local");
  await a.run(async (exp) => {
    exp.metrics("train").log({ loss: 1 });
    exp.params.set({ lr: 0.1 });
  });
  const b = await new Experiment("edge/proj/run-1", { echo: false }).run.start();
  expect(b.params.get()).toEqual({ lr: 0.1 });
  b.metrics("train").log({ loss: 0.5 });
  expect((await b.metrics("train").read()).data.map((p) => [p.index, p.data["loss"]])).toEqual([
    [0, 1],
    [1, 0.5],
  ]);
  await b.run.complete();
});

test("zero config with dashUrl: edge runs are remote-only, and reach our server over loopback", async () => {
  const dashUrl = inject("mlDashUrl");
  const prefix = `edge/proj/run-${Date.now().toString(36)}`;
  const exp = new Experiment(prefix, { dashUrl, token: "t", echo: false });
  expect(exp.mode).toBe("remote");
  await exp.run(async (e) => {
    for (let step = 0; step < 20; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
  });
  expect(exp.stats).toMatchObject({ sent: 20, dropped: 0 });
  const again = await new Experiment(prefix, { dashUrl, token: "t", echo: false }).run.start();
  expect((await again.metrics("train").read({ limit: 100 })).data).toHaveLength(20);
  await again.run.complete();
});

storageContract("memory on workerd", memoryFixture);
behaviourSuite("memory on workerd", memoryFixture);
unitSuites("workerd");
