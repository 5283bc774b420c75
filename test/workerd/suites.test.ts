// The storage contract and the behaviour suite inside workerd (Cloudflare's runtime), against
// the memory store; and the zero-config workerd entry.
import { expect, test } from "vitest";
import { Experiment } from "../../src/entries/workerd.ts";
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

test("zero config with dashUrl: edge runs are remote-only (no local store)", () => {
  const exp = new Experiment("edge/proj/run-2", { dashUrl: "http://127.0.0.1:9" });
  expect(exp.mode).toBe("remote");
});

storageContract("memory on workerd", memoryFixture);
behaviourSuite("memory on workerd", memoryFixture);
unitSuites("workerd");
