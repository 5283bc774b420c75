/** Metrics: named and unnamed, grouping, _ts, NaN/Infinity, reads, stats, list, summaries. */
import { describe, expect, test } from "vitest";
import { NotFoundError, ValidationError } from "../../src/index.ts";
import { experiment, json, jsonl, PY_ISO, raw, withFixture, type MakeFixture } from "./helpers.ts";

type Line = { index: number; data: Record<string, unknown>; createdAt: string };

export function metricsSuite(name: string, make: MakeFixture): void {
  const t = (title: string, fn: Parameters<typeof withFixture>[1]): void => {
    test(title, () => withFixture(make, fn), 30_000);
  };

  describe(`metrics: ${name}`, () => {
    t("points get gap-free indices, _ts last, one createdAt per batch, and metadata.json", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/basic").run.start();
      const before = Date.now();
      for (let i = 0; i < 5; i++) exp.metrics("train").log({ loss: 1 / (i + 1), step: i });
      const after = Date.now();
      await exp.run.complete();
      const lines = await jsonl<Line>(adapter, "m/q/basic/metrics/train/data.jsonl");
      expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
      for (const l of lines) {
        expect(Object.keys(l)).toEqual(["index", "data", "createdAt"]);
        expect(Object.keys(l.data)).toEqual(["loss", "step", "_ts"]);
        expect(l.createdAt).toMatch(PY_ISO);
        // Taken at the call (the clock's millisecond, give or take its rounding).
        expect((l.data["_ts"] as number) * 1000).toBeGreaterThanOrEqual(before - 1);
        expect((l.data["_ts"] as number) * 1000).toBeLessThanOrEqual(after + 1);
      }
      expect(new Set(lines.map((l) => l.createdAt)).size).toBe(1);
      const meta = await json(adapter, "m/q/basic/metrics/train/metadata.json");
      expect(Object.keys(meta ?? {})).toEqual(["metricId", "name", "description", "tags", "metadata", "totalDataPoints", "nextIndex", "createdAt", "updatedAt"]);
      expect(meta).toMatchObject({ metricId: "local-metric-train", name: "train", description: null, tags: [], metadata: null, totalDataPoints: 5, nextIndex: 5 });
    });

    t("the unnamed metric is stored as None; the grouping form copies scalars into each group with one _ts", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/group").run.start();
      exp.metrics.log({ epoch: 1, train: { loss: 0.4 }, eval: { loss: 0.6, epoch: 9 } });
      exp.metrics.log({ lr: 0.1 });
      exp.metrics().log({ direct: true });
      exp.metrics(null).log({ alsoDirect: 1 });
      await exp.run.complete();
      const none = await jsonl<Line>(adapter, "m/q/group/metrics/None/data.jsonl");
      const train = await jsonl<Line>(adapter, "m/q/group/metrics/train/data.jsonl");
      const evalLines = await jsonl<Line>(adapter, "m/q/group/metrics/eval/data.jsonl");
      expect(none.map((l) => l.data)).toEqual([
        { epoch: 1, _ts: expect.any(Number) },
        { lr: 0.1, _ts: expect.any(Number) },
        { direct: true, _ts: expect.any(Number) },
        { alsoDirect: 1, _ts: expect.any(Number) },
      ]);
      expect(train[0]?.data).toEqual({ epoch: 1, loss: 0.4, _ts: none[0]?.data["_ts"] });
      expect(evalLines[0]?.data).toEqual({ epoch: 9, loss: 0.6, _ts: none[0]?.data["_ts"] });
      expect(await json(adapter, "m/q/group/metrics/None/metadata.json")).toMatchObject({ metricId: "local-metric-None", name: null });
    });

    t("_ts: explicit, -1 inherits the previous timestamp (shared with tracks), -1 first is an error", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/ts").run.start();
      expect(() => exp.metrics("a").log({ v: 0, _ts: -1 })).toThrow(ValidationError);
      exp.metrics("a").log({ v: 1, _ts: 100.5 });
      exp.metrics("b").log({ v: 2, _ts: -1 });
      exp.tracks("cam").append({ frame: 1, _ts: 200 });
      exp.metrics("a").log({ v: 3, _ts: -1 });
      expect(() => exp.metrics("a").log({ v: 4, _ts: "soon" as never })).toThrow(/_ts must be a finite number/);
      expect(() => exp.metrics("a").log({ v: 4, _ts: NaN })).toThrow(ValidationError);
      await exp.run.complete();
      const a = await jsonl<Line>(adapter, "m/q/ts/metrics/a/data.jsonl");
      const b = await jsonl<Line>(adapter, "m/q/ts/metrics/b/data.jsonl");
      expect(a.map((l) => l.data)).toEqual([
        { v: 1, _ts: 100.5 },
        { v: 3, _ts: 200 },
      ]);
      expect(b.map((l) => l.data)).toEqual([{ v: 2, _ts: 100.5 }]);
    });

    t("NaN and ±Infinity are written as Python's bare tokens and read back as numbers", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/nan").run.start();
      exp.metrics("eval").log({ loss: NaN, acc: Infinity, worst: -Infinity, step: 0 });
      exp.metrics("eval").log({ loss: NaN, note: "text", arr: [NaN, 1] });
      await exp.flush();
      const text = await raw(adapter, "m/q/nan/metrics/eval/data.jsonl");
      expect(text).toContain('"data": {"loss": NaN, "acc": Infinity, "worst": -Infinity, "step": 0, "_ts": ');
      expect(text).toContain('"arr": [NaN, 1]');
      const page = await exp.metrics("eval").read();
      expect(page.data[0]?.data).toMatchObject({ loss: NaN, acc: Infinity, worst: -Infinity, step: 0 });
      expect(page.data[1]?.data).toMatchObject({ loss: NaN, note: "text", arr: [NaN, 1] });
      await exp.run.complete();
    });

    t("mixed value types and changing key layouts keep arrival order", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/mixed").run.start();
      const m = exp.metrics("mix");
      const expected: Record<string, unknown>[] = [];
      for (let i = 0; i < 300; i++) {
        const p =
          i % 7 === 0
            ? { step: i, tag: `s${i}` }
            : i % 5 === 0
              ? { step: i, loss: i / 3, extra: i }
              : i % 11 === 0
                ? { loss: i / 3, step: i }
                : { step: i, loss: i / 3 };
        m.log(p);
        expected.push(p);
        if (i === 150) await exp.flush();
      }
      m.log({ step: 300, flag: false, nothing: null, arr: new Float32Array([0.5, 1.5]), when: new Date(0) });
      expected.push({ step: 300, flag: false, nothing: null, arr: [0.5, 1.5], when: "1970-01-01T00:00:00.000Z" });
      await exp.run.complete();
      const lines = await jsonl<Line>(adapter, "m/q/mixed/metrics/mix/data.jsonl");
      expect(lines.map((l) => l.index)).toEqual(expected.map((_, i) => i));
      expect(lines.map(({ data: { _ts, ...rest } }) => rest)).toEqual(expected);
      for (const l of lines) expect(Object.keys(l.data).at(-1)).toBe("_ts");
    });

    t("read pages by index; stats and list have ML-Dash's shapes", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/read").run.start();
      exp.metrics("train", { description: "training", tags: ["t"], metadata: { unit: "nats" } }).log({ loss: 0 });
      exp.metrics("train", { description: "ignored later" });
      for (let i = 1; i < 25; i++) exp.metrics("train").log({ loss: i });
      exp.metrics("eval").log({ loss: 1 });
      const page = await exp.metrics("train").read({ startIndex: 10, limit: 5 });
      expect(page).toMatchObject({ startIndex: 10, endIndex: 14, total: 5, hasMore: true });
      expect(page.data.map((d) => [d.index, d.data["loss"]])).toEqual([10, 11, 12, 13, 14].map((i) => [i, i]));
      expect(await exp.metrics("train").read({ startIndex: 20, limit: 100 })).toMatchObject({ startIndex: 20, endIndex: 24, total: 5, hasMore: false });
      expect(await exp.metrics("train").read({ startIndex: 99 })).toEqual({ data: [], startIndex: 99, endIndex: 98, total: 0, hasMore: false });
      expect(await exp.metrics("nothing").read()).toEqual({ data: [], startIndex: 0, endIndex: -1, total: 0, hasMore: false });
      const stats = await exp.metrics("train").stats();
      expect(stats).toMatchObject({
        metricId: "local-metric-train",
        name: "train",
        description: "training",
        tags: ["t"],
        metadata: { unit: "nats" },
        totalDataPoints: "25",
        bufferedDataPoints: "25",
        chunkedDataPoints: "0",
        totalChunks: 0,
        chunkSize: 10000,
      });
      await expect(exp.metrics("nothing").stats()).rejects.toBeInstanceOf(NotFoundError);
      const list = await exp.metrics.list();
      expect(list.map((m) => [m.name, m.totalDataPoints]).sort()).toEqual([
        ["eval", "1"],
        ["train", "25"],
      ]);
      await expect(exp.metrics("train").read({ startIndex: -1 })).rejects.toBeInstanceOf(ValidationError);
      await exp.run.complete();
    });

    t("buffer + logSummary computes every aggregation exactly as Python does, then clears", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/summary").run.start();
      for (const v of [0.1, 0.3]) exp.metrics("train").buffer({ loss: v });
      exp.metrics.buffer.logSummary("mean", "std", "p95", "count", { step: 10 });
      for (const v of [4, 1, 3, 2, null, 5]) exp.metrics("val").buffer({ acc: v, nanOnly: null });
      exp.metrics("val").buffer({ acc: undefined });
      expect(exp.metrics.buffer.peek({ prefix: "val", keys: ["acc"], limit: 2 })).toEqual({ "val/acc": [NaN, 5] });
      exp.metrics.buffer.logSummary("mean", "std", "min", "max", "count", "median", "sum", "p50", "p90", "p95", "p99", "first", "last");
      exp.metrics.buffer.logSummary();
      exp.metrics("d").buffer({ x: 2 });
      exp.metrics("d").buffer({ x: 4 });
      exp.metrics.buffer.logSummary();
      await exp.run.complete();
      const [train] = await jsonl<Line>(adapter, "m/q/summary/metrics/train/data.jsonl");
      expect(Object.keys(train!.data)).toEqual(["step", "loss.mean", "loss.std", "loss.p95", "loss.count", "_ts"]);
      expect(train!.data["loss.mean"]).toBeCloseTo(0.2, 15);
      expect(train!.data["loss.std"]).toBeCloseTo(0.1414213562373095, 15);
      expect(train!.data["loss.p95"]).toBeCloseTo(0.29, 15);
      expect(train!.data["loss.count"]).toBe(2);
      const val = await jsonl<Line>(adapter, "m/q/summary/metrics/val/data.jsonl");
      expect(val).toHaveLength(1);
      const { _ts, ...aggs } = val[0]!.data as Record<string, number>;
      const expected: Record<string, number> = {
        "acc.mean": 3,
        "acc.std": Math.sqrt(2.5),
        "acc.min": 1,
        "acc.max": 5,
        "acc.count": 5,
        "acc.median": 3,
        "acc.sum": 15,
        "acc.p50": 3,
        "acc.p90": 4.6,
        "acc.p95": 4.8,
        "acc.p99": 4.96,
        "acc.first": 4,
        "acc.last": 5,
      };
      expect(Object.keys(aggs)).toEqual(Object.keys(expected));
      for (const [k, v] of Object.entries(expected)) expect(aggs[k], k).toBeCloseTo(v, 12);
      const d = await jsonl<Line>(adapter, "m/q/summary/metrics/d/data.jsonl");
      expect(d.map((l) => l.data["x.mean"])).toEqual([3]);
    });

    t("summary bad input: unknown aggregation and non-numeric values throw ValidationError", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/summary-bad").run.start();
      expect(() => exp.metrics("a").buffer({ loss: "high" as never })).toThrow(/non-numeric value at "loss"/);
      exp.metrics("a").buffer({ loss: 1 });
      expect(() => exp.metrics.buffer.logSummary("mean", "avg" as never)).toThrow(/unknown aggregation "avg"/);
      exp.metrics.buffer.logSummary("mean");
      await exp.run.complete();
      expect((await jsonl<Line>(adapter, "m/q/summary-bad/metrics/a/data.jsonl"))[0]?.data["loss.mean"]).toBe(1);
    });

    t("summaryCache: store, set, summarize (mean, min, max, count, std), peek", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/cache").run.start();
      const c = exp.metrics("train").summaryCache;
      c.store({ loss: 1 }).store({ loss: 3 }).set({ lr: 0.1 });
      expect(c.peek()).toEqual({ loss: [1, 3] });
      c.summarize();
      c.summarize(); // empty: nothing logged
      await exp.run.complete();
      const lines = await jsonl<Line>(adapter, "m/q/cache/metrics/train/data.jsonl");
      expect(lines).toHaveLength(1);
      expect(lines[0]?.data).toEqual({ lr: 0.1, "loss.mean": 2, "loss.min": 1, "loss.max": 3, "loss.count": 2, "loss.std": Math.SQRT2, _ts: expect.any(Number) });
    });

    t("bad input: names and values are validated at the call, valid points around them are kept", async ({ adapter }) => {
      const exp = await experiment(adapter, "m/q/bad").run.start();
      exp.metrics("ok").log({ v: 1 });
      for (const bad of ["a/b", "", "..", "x\u0001"]) expect(() => exp.metrics(bad)).toThrow(ValidationError);
      expect(() => exp.metrics("ok").log({ v: () => 1 })).toThrow(/"v" is a function/);
      const cyc: Record<string, unknown> = { a: 1 };
      cyc["self"] = cyc;
      expect(() => exp.metrics("ok").log({ nested: cyc })).toThrow(/cycle/);
      class P {
        x = 1;
      }
      expect(() => exp.metrics("ok").log({ p: new P() })).toThrow(/instance of P/);
      expect(() => exp.metrics("ok").log(new P() as never)).toThrow(/plain object/);
      expect(() => exp.metrics.log({ epoch: 1, train: { f: Symbol("x") } })).toThrow(/"train.f" is a symbol/);
      exp.metrics("ok").log({ v: 2 });
      await exp.run.complete();
      expect((await jsonl<Line>(adapter, "m/q/bad/metrics/ok/data.jsonl")).map((l) => l.data["v"])).toEqual([1, 2]);
      expect(await adapter.list("m/q/bad/metrics/train")).toEqual([]);
    });
  });
}
