/** Run lifecycle: start, complete / fail / cancel, exp.run(fn), await using, withExperiment, resume. */
import { describe, expect, test } from "vitest";
import { Experiment, ExperimentNotStartedError, withExperiment } from "../../src/index.ts";
import { experiment, json, jsonl, withFixture, type MakeFixture } from "./helpers.ts";

export function lifecycleSuite(name: string, make: MakeFixture): void {
  const t = (title: string, fn: Parameters<typeof withFixture>[1]): void => {
    test(title, () => withFixture(make, fn), 30_000);
  };

  describe(`lifecycle: ${name}`, () => {
    t("start returns the experiment, records RUNNING; complete records COMPLETED", async ({ adapter }) => {
      const exp = experiment(adapter, "alice/proj/run-1");
      expect(exp.status).toBe("PENDING");
      expect(await exp.run.start()).toBe(exp);
      expect(exp.status).toBe("RUNNING");
      expect((await json(adapter, "alice/proj/run-1/experiment.json"))?.["status"]).toBe("RUNNING");
      await exp.run.complete();
      expect(exp.status).toBe("COMPLETED");
      expect((await json(adapter, "alice/proj/run-1/experiment.json"))?.["status"]).toBe("COMPLETED");
    });

    t("summaries: the cache takes values before start, summarizing them needs a started run", async ({ adapter }) => {
      const exp = experiment(adapter, "alice/proj/summary-lifecycle");
      const cache = exp.metrics("train").summaryCache.store({ loss: 1 }).store({ loss: 3 });
      expect(() => exp.metrics.buffer.logSummary("mean")).not.toThrow(); // nothing buffered
      expect(() => exp.metrics.buffer.logSummary("nope" as "mean")).toThrow(/unknown aggregation "nope"/);
      expect(() => cache.summarize()).toThrow(/metrics\("train"\)\.log\(\) was called before the run started/);
      await exp.run.start();
      exp.metrics("train").buffer({ acc: 0.5 });
      cache.summarize();
      exp.metrics.buffer.logSummary("max");
      await exp.run.complete();
      const lines = await jsonl<{ data: Record<string, unknown> }>(adapter, "alice/proj/summary-lifecycle/metrics/train/data.jsonl");
      expect(lines.map((l) => l.data["loss.mean"] ?? l.data["acc.max"])).toEqual([2, 0.5]);
      cache.store({ loss: 5 });
      expect(() => cache.summarize()).toThrow(ExperimentNotStartedError);
      expect(() => cache.summarize()).toThrow(/after the run ended/);
    });

    t("the write API throws ExperimentNotStartedError before start and after the end", async ({ adapter }) => {
      const exp = experiment(adapter, "alice/proj/run-2");
      const writes = [
        () => exp.log("x"),
        () => exp.logs.info("x"),
        () => exp.params.set({ a: 1 }),
        () => exp.metrics("train").log({ loss: 1 }),
        () => exp.metrics.log({ epoch: 1 }),
        () => exp.tracks("t").append({ x: 1 }),
        () => exp.metrics("m").buffer({ loss: 1 }),
      ];
      for (const w of writes) expect(w).toThrow(ExperimentNotStartedError);
      expect(() => exp.params.get()).toThrow(/before the run started/);
      await expect(exp.run.complete()).rejects.toBeInstanceOf(ExperimentNotStartedError);
      await exp.run.start();
      exp.metrics("train").log({ loss: 1 });
      await exp.run.complete();
      for (const w of writes) expect(w).toThrow(/after the run ended/);
      // Reads still work after the end.
      expect((await exp.metrics("train").read()).data).toHaveLength(1);
    });

    t("start is idempotent while open, and complete is idempotent after the end", async ({ adapter }) => {
      const exp = experiment(adapter, "alice/proj/run-3");
      const [a, b] = await Promise.all([exp.run.start(), exp.run.start()]);
      expect(a).toBe(exp);
      expect(b).toBe(exp);
      await exp.run.start();
      await Promise.all([exp.run.complete(), exp.run.complete()]);
      await exp.run.complete();
      expect(exp.status).toBe("COMPLETED");
    });

    t("exp.run(fn) completes on return and returns the callback's value", async ({ adapter }) => {
      const exp = experiment(adapter, "alice/proj/ctx-ok");
      const value = await exp.run(async (e) => {
        expect(e).toBe(exp);
        e.metrics("train").log({ loss: 0.5 });
        return 42;
      });
      expect(value).toBe(42);
      expect(exp.status).toBe("COMPLETED");
      expect(await jsonl(adapter, "alice/proj/ctx-ok/metrics/train/data.jsonl")).toHaveLength(1);
    });

    t("exp.run(fn) fails, records the error as a log line, and rethrows", async ({ adapter }) => {
      const exp = experiment(adapter, "alice/proj/ctx-fail");
      const boom = new Error("boom");
      await expect(
        exp.run(async (e) => {
          e.metrics("train").log({ loss: 0.5 });
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(exp.status).toBe("FAILED");
      expect((await json(adapter, "alice/proj/ctx-fail/experiment.json"))?.["status"]).toBe("FAILED");
      const logs = await jsonl(adapter, "alice/proj/ctx-fail/logs/logs.jsonl");
      expect(logs.at(-1)).toMatchObject({ level: "error", message: "Run failed: boom", metadata: { error: "Error" } });
      expect(await jsonl(adapter, "alice/proj/ctx-fail/metrics/train/data.jsonl")).toHaveLength(1);
    });

    t("fail(error) and cancel() record their status after draining", async ({ adapter }) => {
      const a = experiment(adapter, "alice/proj/failed");
      await a.run.start();
      a.metrics("m").log({ v: 1 });
      await a.run.fail(new Error("bad data"));
      expect(a.status).toBe("FAILED");
      expect(await jsonl(adapter, "alice/proj/failed/metrics/m/data.jsonl")).toHaveLength(1);
      const c = experiment(adapter, "alice/proj/cancelled");
      await c.run.start();
      c.logs.info("bye");
      await c.run.cancel();
      expect(c.status).toBe("CANCELLED");
      expect((await json(adapter, "alice/proj/cancelled/experiment.json"))?.["status"]).toBe("CANCELLED");
      expect(await jsonl(adapter, "alice/proj/cancelled/logs/logs.jsonl")).toHaveLength(1);
    });

    t("Symbol.asyncDispose completes the run (the `await using` form)", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/using").run.start();
      exp.metrics("m").log({ v: 1 });
      await exp[Symbol.asyncDispose]();
      expect(exp.status).toBe("COMPLETED");
      await exp[Symbol.asyncDispose](); // a second dispose is harmless
    });

    t("withExperiment builds a new experiment per call and runs the function inside it", async ({ adapter }) => {
      const seen: Experiment[] = [];
      const train = withExperiment({ prefix: "alice/proj/decorated", storage: adapter, echo: false }, async (exp, epochs: number) => {
        seen.push(exp);
        for (let e = 0; e < epochs; e++) exp.metrics("train").log({ epoch: e });
        return epochs * 2;
      });
      expect(await train(3)).toBe(6);
      expect(await train(2)).toBe(4);
      expect(seen[0]).not.toBe(seen[1]);
      expect(seen.every((e) => e.status === "COMPLETED")).toBe(true);
      const points = await jsonl<{ index: number }>(adapter, "alice/proj/decorated/metrics/train/data.jsonl");
      expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
    });

    t("reopening a prefix resumes: indices, sequence numbers and params continue", async ({ adapter }) => {
      const first = experiment(adapter, "alice/proj/resume", { readme: "first", tags: ["a"] });
      await first.run(async (e) => {
        e.params.set({ lr: 0.1, model: { layers: 2 } });
        e.logs.info("one");
        e.logs.info("two");
        for (let i = 0; i < 3; i++) e.metrics("train").log({ i });
        e.tracks("t").append({ x: 1, _ts: 1 });
      });
      const second = experiment(adapter, "alice/proj/resume", { tags: ["b"] });
      await second.run(async (e) => {
        expect(e.params.get()).toEqual({ lr: 0.1, "model.layers": 2 });
        e.params.set({ lr: 0.01 });
        e.logs.info("three");
        e.metrics("train").log({ i: 3 });
        e.tracks("t").append({ x: 2, _ts: 2 });
      });
      const doc = await json(adapter, "alice/proj/resume/experiment.json");
      expect(doc).toMatchObject({ description: "first", tags: ["b"], status: "COMPLETED" });
      expect(typeof doc?.["updated_at"]).toBe("string");
      const params = await json(adapter, "alice/proj/resume/parameters.json");
      expect(params).toMatchObject({ version: 2, data: { lr: 0.01, "model.layers": 2 } });
      expect(params && "createdAt" in params).toBe(false);
      const logs = await jsonl<{ sequenceNumber: number }>(adapter, "alice/proj/resume/logs/logs.jsonl");
      expect(logs.map((l) => l.sequenceNumber)).toEqual([0, 1, 2]);
      const pts = await jsonl<{ index: number }>(adapter, "alice/proj/resume/metrics/train/data.jsonl");
      expect(pts.map((p) => p.index)).toEqual([0, 1, 2, 3]);
      expect(await json(adapter, "alice/proj/resume/metrics/train/metadata.json")).toMatchObject({ totalDataPoints: 4, nextIndex: 4 });
      expect(await json(adapter, "alice/proj/resume/tracks/t/metadata.json")).toMatchObject({ totalEntries: 2, firstTimestamp: 1, lastTimestamp: 2 });
    });

    t("the same Experiment object can start again after it ended (resume in place)", async ({ adapter }) => {
      const exp = experiment(adapter, "alice/proj/again");
      await exp.run(async (e) => void e.metrics("m").log({ v: 1 }));
      await exp.run(async (e) => void e.metrics("m").log({ v: 2 }));
      const pts = await jsonl<{ index: number; data: { v: number } }>(adapter, "alice/proj/again/metrics/m/data.jsonl");
      expect(pts.map((p) => [p.index, p.data.v])).toEqual([
        [0, 1],
        [1, 2],
      ]);
    });

    t("properties come from the prefix; mode is local", async ({ adapter }) => {
      const exp = experiment(adapter, "alice/mnist/baseline/deep/run-1");
      expect([exp.prefix, exp.owner, exp.project, exp.name, exp.folder, exp.mode]).toEqual([
        "alice/mnist/baseline/deep/run-1",
        "alice",
        "mnist",
        "run-1",
        "alice/mnist/baseline/deep",
        "local",
      ]);
      const obj = new Experiment({ prefix: "a/b", storage: adapter, echo: false });
      expect([obj.owner, obj.project, obj.name]).toEqual(["a", "b", "b"]);
      await obj.run.start();
      expect(obj.data).toMatchObject({ name: "b", project: "b", prefix: "a/b" });
      await obj.run.complete();
    });
  });
}
