/** The buffer: interval and size flushes, the byte bound, background failures, retries, counters. */
import { describe, expect, test } from "vitest";
import { DataLossError, MlDashError, StorageError, type DropInfo } from "../../src/index.ts";
import type { StorageAdapter } from "../../src/storage/contract.ts";
import { experiment, json, jsonl, until, withFixture, type MakeFixture } from "./helpers.ts";

type Line = { index: number; data: Record<string, number> };

/** Wraps an adapter so appends and writes can be made to fail on demand. */
function faulty(inner: StorageAdapter): StorageAdapter & { failing: boolean; attempts: number } {
  const state = { failing: false, attempts: 0 };
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    state.attempts++;
    if (state.failing) throw new Error("ENOSPC: no space left on device");
    return fn();
  };
  const wrapped = {
    ...inner,
    name: `faulty(${inner.name})`,
    append: (k: string, d: Uint8Array) => guard(() => inner.append(k, d)),
    appendSync: inner.appendSync
      ? (k: string, d: Uint8Array) => {
          state.attempts++;
          if (state.failing) throw new Error("ENOSPC: no space left on device");
          return (inner.appendSync as (k: string, d: Uint8Array) => boolean)(k, d);
        }
      : undefined,
    write: (k: string, d: Uint8Array) => guard(() => inner.write(k, d)),
  } as StorageAdapter & { failing: boolean; attempts: number };
  return Object.defineProperties(wrapped, {
    failing: { get: () => state.failing, set: (v: boolean) => (state.failing = v) },
    attempts: { get: () => state.attempts },
  });
}

export function bufferSuite(name: string, make: MakeFixture): void {
  const t = (title: string, fn: Parameters<typeof withFixture>[1]): void => {
    test(title, () => withFixture(make, fn), 30_000);
  };

  describe(`buffer: ${name}`, () => {
    t("writes are synchronous; data reaches the store on the interval without flush()", async ({ adapter }) => {
      const exp = await experiment(adapter, "b/q/interval", { buffer: { flushIntervalMs: 20 } }).run.start();
      exp.metrics("m").log({ v: 1 });
      expect(exp.stats).toMatchObject({ queued: 1, written: 0 });
      expect(await jsonl(adapter, "b/q/interval/metrics/m/data.jsonl")).toEqual([]);
      await until(() => exp.stats.written > 0, "the interval flush");
      expect(await jsonl(adapter, "b/q/interval/metrics/m/data.jsonl")).toHaveLength(1);
      expect(exp.stats).toMatchObject({ queued: 0, written: 1, dropped: 0 });
      await exp.run.complete();
    });

    t("a stream reaching maxBatch is flushed at once, in batches of maxBatch", async ({ adapter }) => {
      const exp = await experiment(adapter, "b/q/size", { buffer: { flushIntervalMs: 60_000, maxBatch: 50 } }).run.start();
      for (let i = 0; i < 120; i++) exp.metrics("m").log({ i });
      await until(() => exp.stats.written >= 120, "the size flushes");
      expect(exp.stats.written).toBe(120);
      const lines = await jsonl<Line & { createdAt: string }>(adapter, "b/q/size/metrics/m/data.jsonl");
      expect(lines.map((l) => l.data["i"])).toEqual(Array.from({ length: 120 }, (_, i) => i));
      expect(exp.stats.bytes).toBeGreaterThan(120 * 40);
      await exp.run.complete();
    });

    t("by default a producer logging far past maxQueueBytes without yielding loses nothing", async ({ adapter }) => {
      const errors: MlDashError[] = [];
      const bound = 64 * 1024;
      const exp = await experiment(adapter, "b/q/lossless", {
        buffer: { maxQueueBytes: bound, flushIntervalMs: 60_000, maxBatch: 500 },
        onError: (e) => errors.push(e),
      }).run.start();
      // Numbering of each stream known first (as after a run's first flush).
      exp.metrics("m").log({ i: -1 });
      exp.logs.info("start");
      exp.tracks("t").append({ x: -1, _ts: 0 });
      await exp.flush();
      const N = 60_000; // 60k × 16 bytes ≈ 15 × the bound, logged without yielding
      let peak = 0;
      for (let i = 0; i < N; i++) {
        exp.metrics("m").log({ i });
        if (i % 100 === 0) {
          exp.logs.info(`line ${i}`);
          exp.tracks("t").append({ x: i, _ts: 1 + i / 100 });
        }
        peak = Math.max(peak, exp.stats.queuedBytes);
      }
      expect(exp.stats.dropped).toBe(0);
      // Where the store appends synchronously, the loop itself stored what passed the bound.
      if (adapter.appendSync) expect(peak).toBeLessThanOrEqual(bound + 1024);
      await exp.flush();
      expect(exp.stats).toMatchObject({ dropped: 0, queued: 0 });
      expect(errors).toEqual([]);
      const lines = await jsonl<Line>(adapter, "b/q/lossless/metrics/m/data.jsonl");
      expect(lines.map((l) => l.index)).toEqual(Array.from({ length: N + 1 }, (_, i) => i));
      expect(lines.map((l) => l.data["i"])).toEqual(Array.from({ length: N + 1 }, (_, i) => i - 1));
      const logs = await jsonl<{ sequenceNumber: number; message: string }>(adapter, "b/q/lossless/logs/logs.jsonl");
      expect(logs.map((l) => l.sequenceNumber)).toEqual(Array.from({ length: N / 100 + 1 }, (_, i) => i));
      expect(logs.at(-1)?.message).toBe(`line ${N - 100}`);
      const track = await jsonl<{ x: number }>(adapter, "b/q/lossless/tracks/t/data.jsonl");
      expect(track.map((r) => r.x)).toEqual([-1, ...Array.from({ length: N / 100 }, (_, i) => i * 100)]);
      const meta = await json<{ totalDataPoints: number }>(adapter, "b/q/lossless/metrics/m/metadata.json");
      expect(meta?.totalDataPoints).toBe(N + 1);
      await exp.run.complete();
    });

    t('with onFull: "drop", past maxQueueBytes the oldest waiting records are dropped, counted, reported, and flush() says so', async ({ adapter }) => {
      const drops: DropInfo[] = [];
      const errors: MlDashError[] = [];
      const exp = await experiment(adapter, "b/q/overflow", {
        buffer: { maxQueueBytes: 64 * 1024, flushIntervalMs: 60_000, maxBatch: 1_000_000, onFull: "drop", onDrop: (d) => drops.push(d) },
        onError: (e) => errors.push(e),
      }).run.start();
      const N = 20_000; // 20k × 16 bytes ≫ 64 KiB, logged without yielding
      for (let i = 0; i < N; i++) exp.metrics("m").log({ i });
      const s = exp.stats;
      expect(s.dropped).toBeGreaterThan(0);
      expect(s.queued + s.dropped).toBe(N);
      expect(s.queuedBytes).toBeLessThanOrEqual(64 * 1024);
      expect(drops.reduce((n, d) => n + d.count, 0)).toBe(s.dropped);
      expect(drops[0]).toMatchObject({ stream: "metric:m", reason: "overflow" });
      expect(errors[0]).toBeInstanceOf(DataLossError);
      const err = await exp.flush().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(DataLossError);
      expect((err as DataLossError).dropped).toBe(s.dropped);
      await exp.flush(); // reported once
      const lines = await jsonl<Line>(adapter, "b/q/overflow/metrics/m/data.jsonl");
      // What was kept is the newest data, contiguous and gap-free in index.
      expect(lines.length).toBe(s.queued);
      expect(lines.map((l) => l.index)).toEqual(lines.map((_, i) => i));
      expect(lines.at(-1)?.data["i"]).toBe(N - 1);
      const kept = lines.map((l) => l.data["i"] as number);
      expect(kept).toEqual(kept.slice().sort((a, b) => a - b));
      await exp.run.complete();
    });

    t("a failing store never throws into the caller; data is kept, retried, and written once it recovers", async ({ adapter }) => {
      const store = faulty(adapter);
      const errors: MlDashError[] = [];
      const exp = await experiment(store, "b/q/fail", { buffer: { flushIntervalMs: 10 }, onError: (e) => errors.push(e) }).run.start();
      store.failing = true;
      for (let i = 0; i < 10; i++) exp.metrics("m").log({ i });
      exp.logs.info("while failing");
      exp.params.set({ lr: 0.1 });
      await expect(exp.flush()).rejects.toBeInstanceOf(StorageError);
      await expect(exp.flush()).rejects.toThrow(/ENOSPC/);
      const attempts = store.attempts;
      await until(() => store.attempts > attempts, "the interval retrying the write");
      expect(store.attempts).toBeGreaterThan(attempts);
      expect(errors.length).toBeGreaterThan(0);
      expect(exp.stats.errors).toBeGreaterThan(0);
      expect(exp.stats.queued).toBe(11);
      // complete() cannot drain: it rejects and the run stays open.
      await expect(exp.run.complete()).rejects.toBeInstanceOf(StorageError);
      expect(exp.status).toBe("RUNNING");
      exp.metrics("m").log({ i: 10 });
      store.failing = false;
      await exp.run.complete();
      expect(exp.status).toBe("COMPLETED");
      const lines = await jsonl<Line>(adapter, "b/q/fail/metrics/m/data.jsonl");
      expect(lines.map((l) => [l.index, l.data["i"]])).toEqual(Array.from({ length: 11 }, (_, i) => [i, i]));
      expect((await jsonl(adapter, "b/q/fail/logs/logs.jsonl")).map((l) => l["message"])).toEqual(["while failing"]);
      expect(exp.stats).toMatchObject({ queued: 0, written: 12, dropped: 0 });
    });

    t("onError that throws does not break the data path", async ({ adapter }) => {
      const store = faulty(adapter);
      const exp = await experiment(store, "b/q/throwing-onerror", {
        onError: () => {
          throw new Error("user bug");
        },
      }).run.start();
      store.failing = true;
      exp.metrics("m").log({ v: 1 });
      await expect(exp.flush()).rejects.toBeInstanceOf(StorageError);
      store.failing = false;
      await exp.run.complete();
      expect(await jsonl(adapter, "b/q/throwing-onerror/metrics/m/data.jsonl")).toHaveLength(1);
    });

    t("stats counts queued and written records", async ({ adapter }) => {
      const exp = await experiment(adapter, "b/q/stats").run.start();
      exp.metrics("a").log({ v: 1 });
      exp.metrics("a").log({ v: 2 });
      exp.tracks("t").append({ x: 1, _ts: 1 });
      exp.tracks("t").append({ y: 1, _ts: 1 }); // merged: still one record
      exp.logs.info("x");
      expect(exp.stats).toMatchObject({ queued: 4, written: 0, sent: 0, retried: 0, dropped: 0 });
      expect(exp.stats.queuedBytes).toBeGreaterThan(0);
      await exp.flush();
      expect(exp.stats).toMatchObject({ queued: 0, queuedBytes: 0, written: 4 });
      const snapshot = exp.stats;
      snapshot.written = 999; // a copy
      expect(exp.stats.written).toBe(4);
      await exp.run.complete();
    });
  });
}
