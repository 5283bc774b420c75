/**
 * The run store conformance suite: what the REST API and the dashboard rely on from a
 * `RunStore`, stated in the interface's own terms (no layout, no bytes on disk), so every store —
 * the `.dash` store over each storage adapter, a PostgreSQL + S3 store, an edge store — runs the
 * same checks. Uses only `describe`, `test` and `expect`.
 */
import { describe, expect, test } from "vitest";
import { NotFoundError, StreamGapError } from "../../src/errors.ts";
import { parsePrefix } from "../../src/model/prefix.ts";
import { streamId } from "../../src/model/batch.ts";
import type { BatchData } from "../../src/model/batch.ts";
import type { PlainObject } from "../../src/model/values.ts";
import type { ExperimentRecord, ExperimentRef, RunStore } from "../../src/server/store/index.ts";
import { runStoreFileChecks } from "./run-store-files.ts";
import { runStoreReadChecks } from "./run-store-reads.ts";

/** A fresh, empty store for one test, and the same data seen by a new store (as after a restart). */
export interface RunStoreFixture {
  readonly store: RunStore;
  /** A new store over the same data (after `store.close()`). */
  reopen(): Promise<RunStore>;
  /** Removes the data. */
  cleanup(): Promise<void>;
}

/** Registers one check of the suite. */
export type Check = (title: string, fn: (f: RunStoreFixture) => Promise<void>, timeout?: number) => void;

/** Opens (creates or resumes) the experiment at `path`. */
export function open(store: RunStore, path: string, attrs: { description?: string; tags?: string[]; metadata?: PlainObject } = {}): Promise<ExperimentRecord> {
  return store.openExperiment({ prefix: parsePrefix(path), description: attrs.description, tags: attrs.tags, bindrs: undefined, metadata: attrs.metadata });
}

/** Metric rows as batch data. */
export function rows(points: PlainObject[]): BatchData {
  return { kind: "metric", blocks: points.length > 0 ? [{ kind: "rows", rows: points, length: points.length }] : [] };
}

/** Log lines as batch data. */
export function lines(items: { ts: string; level: "debug" | "info" | "warn" | "error" | "fatal"; message: string; metadata?: PlainObject }[]): BatchData {
  return { kind: "log", records: items.map((l) => ({ timeMs: Date.parse(l.ts), iso: l.ts, level: l.level, message: l.message, metadata: l.metadata })) };
}

/** Track entries as batch data. */
export function entries(items: { timestamp: number; [k: string]: number | string }[]): BatchData {
  return { kind: "track", records: items.map(({ timestamp, ...data }) => ({ timestamp, data })) };
}

const pts = (from: number, n: number): PlainObject[] => Array.from({ length: n }, (_, i) => ({ v: from + i, _ts: from + i }));
const LOSS = streamId("metric", "loss");

/** Registers the conformance suite for one store. */
export function runStoreContract(name: string, make: () => Promise<RunStoreFixture>): void {
  const t: Check = (title, fn, timeout = 30_000) => {
    test(
      title,
      async () => {
        const f = await make();
        try {
          await f.store.ready();
          await fn(f);
        } finally {
          await f.store.close().catch(() => undefined);
          await f.cleanup();
        }
      },
      timeout,
    );
  };

  describe(`run store contract: ${name}`, () => {
    t("projects and folders are upserts: the same name gives the same node; a parent outside the project is NotFoundError", async ({ store }) => {
      const p = await store.upsertProject("alice", "mnist");
      expect(p).toMatchObject({ namespace: "alice", slug: "mnist", name: "mnist", description: null, path: "alice/mnist" });
      const again = await store.upsertProject("alice", "mnist", { name: "MNIST", description: "digits" });
      expect(again).toMatchObject({ id: p.id, name: "MNIST", description: "digits" });
      expect(await store.project(p.id)).toMatchObject({ id: p.id, name: "MNIST" });
      expect(await store.project("no-such-project")).toBeUndefined();
      const a = await store.upsertFolder(p.id, null, "a");
      expect(a).toMatchObject({ name: "a", path: "alice/mnist/a", projectId: p.id, parentId: "ROOT" });
      const b = await store.upsertFolder(p.id, a.id, "b");
      expect(b).toMatchObject({ path: "alice/mnist/a/b", parentId: a.id });
      expect((await store.upsertFolder(p.id, a.id, "b")).id).toBe(b.id);
      expect(await store.folder(b.id)).toMatchObject({ id: b.id, path: "alice/mnist/a/b" });
      const other = await store.upsertProject("alice", "other");
      await expect(store.upsertFolder(other.id, a.id, "x")).rejects.toThrow(NotFoundError);
      await expect(store.upsertFolder(p.id, "no-such-folder", "x")).rejects.toThrow(NotFoundError);
    });

    t("projects and folders are listed (empty ones too); deleting a project takes its experiments with it and nothing else", async ({ store }) => {
      const empty = await store.upsertProject("alice", "empty");
      const e = await open(store, "alice/mnist/sweep/run-1");
      await store.append(e, LOSS, rows(pts(0, 3)));
      await open(store, "alice/mnist/run-2");
      const kept = await open(store, "bob/other/run-3");
      expect((await store.projects()).map((p) => p.path)).toEqual(["alice/empty", "alice/mnist", "bob/other"]);
      expect((await store.projects("alice")).map((p) => p.path)).toEqual(["alice/empty", "alice/mnist"]);
      expect((await store.folders(e.projectId)).map((f) => f.path)).toEqual(["alice/mnist/sweep"]);
      expect(await store.folders(empty.id)).toEqual([]);
      expect(await store.deleteProject(e.projectId)).toEqual({ experiments: 2 });
      expect(await store.deleteProject(e.projectId)).toBeUndefined();
      expect(await store.deleteProject("no-such-project")).toBeUndefined();
      expect(await store.project(e.projectId)).toBeUndefined();
      expect(await store.run("alice/mnist/sweep/run-1")).toBeUndefined();
      expect((await store.experiments()).map((x) => x.path)).toEqual([kept.path]);
      expect((await store.projects()).map((p) => p.path)).toEqual(["alice/empty", "bob/other"]);
      // A run opened again at a deleted path starts empty.
      const again = await open(store, "alice/mnist/sweep/run-1");
      expect((await store.streams(again)).length).toBe(0);
    });

    t("opening an experiment twice resumes it: same ids, attributes merged, status RUNNING, its project and folders exist", async ({ store }) => {
      const e = await open(store, "alice/mnist/sweep/run-1", { description: "first", tags: ["a"] });
      expect(e).toMatchObject({ path: "alice/mnist/sweep/run-1", name: "run-1", description: "first", tags: ["a"], status: "RUNNING", writeProtected: false });
      expect(typeof e.createdAt).toBe("string");
      const again = await open(store, "alice/mnist/sweep/run-1", { metadata: { lr: 0.1 } });
      expect([again.id, again.nodeId, again.projectId, again.parentId]).toEqual([e.id, e.nodeId, e.projectId, e.parentId]);
      expect(again).toMatchObject({ description: "first", tags: ["a"], metadata: { lr: 0.1 } });
      expect((await store.project(e.projectId))?.path).toBe("alice/mnist");
      expect((await store.folder(e.parentId))?.path).toBe("alice/mnist/sweep");
      expect((await store.experiment(e.id))?.path).toBe(e.path);
      expect((await store.run("alice/mnist/sweep/run-1"))?.id).toBe(e.id);
      expect(await store.run("alice/mnist/sweep/nothing")).toBeUndefined();
      expect(await store.experiment("no-such-experiment")).toBeUndefined();
    });

    t("nodes by id: projects, folders and experiments (by node id or id)", async ({ store }) => {
      const e = await open(store, "alice/mnist/f/run");
      expect(await store.node(e.nodeId)).toMatchObject({ kind: "experiment", experiment: { id: e.id } });
      expect(await store.node(e.id)).toMatchObject({ kind: "experiment", experiment: { id: e.id } });
      expect(await store.node(e.projectId)).toMatchObject({ kind: "project", project: { id: e.projectId } });
      expect(await store.node(e.parentId)).toMatchObject({ kind: "folder", folder: { id: e.parentId } });
      expect(await store.node("no-such-node")).toBeUndefined();
    });

    t("experiments are listed, under a prefix when given; status changes are recorded", async ({ store }) => {
      const a = await open(store, "alice/p/run-a");
      await open(store, "alice/p/deep/run-b");
      await open(store, "bob/q/run-c");
      const paths = async (prefix?: string): Promise<string[]> => (await store.experiments(prefix === undefined ? {} : { prefix })).map((e) => e.path).sort();
      expect(await paths()).toEqual(["alice/p/deep/run-b", "alice/p/run-a", "bob/q/run-c"]);
      expect(await paths("alice/p")).toEqual(["alice/p/deep/run-b", "alice/p/run-a"]);
      expect(await paths("alice/p/run-a")).toEqual(["alice/p/run-a"]);
      expect(await paths("alice/p/run")).toEqual([]);
      const done = await store.setStatus(a, "COMPLETED");
      expect(done).toMatchObject({ id: a.id, status: "COMPLETED" });
      expect(typeof done.updatedAt).toBe("string");
      expect((await store.describe(a)).status).toBe("COMPLETED");
    });

    t("a positioned append is stored exactly once: a replay is skipped, an overlap trimmed, a gap refused with nextIndex", async ({ store }) => {
      const e = await open(store, "alice/p/once");
      expect(await store.append(e, LOSS, rows(pts(0, 3)), { start: 0 })).toEqual({ first: 0, count: 3, skipped: 0, next: 3 });
      expect(await store.append(e, LOSS, rows(pts(0, 3)), { start: 0 })).toEqual({ first: 3, count: 0, skipped: 3, next: 3 });
      expect(await store.append(e, LOSS, rows(pts(2, 3)), { start: 2, idempotencyKey: "k:2" })).toEqual({ first: 3, count: 2, skipped: 1, next: 5 });
      const gap = await store.append(e, LOSS, rows(pts(9, 1)), { start: 9 }).catch((err: unknown) => err);
      expect(gap).toBeInstanceOf(StreamGapError);
      expect((gap as StreamGapError).nextIndex).toBe(5);
      const page = await store.metricPage(e, "loss", 0, 100);
      expect(page.data.map((p) => [p.index, p.data["v"]])).toEqual([0, 1, 2, 3, 4].map((i) => [i, i]));
      expect(await store.streams(e)).toEqual([{ stream: LOSS, next: 5 }]);
    });

    t("named writers on one stream each land every record once: own numbering, a retry skipped, an overlap trimmed, a gap refused with the writer's end", async ({ store }) => {
      const e = await open(store, "alice/p/writers");
      const [A, B] = ["writer-AAAA", "writer-BBBB"];
      expect(await store.append(e, LOSS, rows(pts(0, 3)), { start: 0, writer: A, idempotencyKey: `${A}:metric:loss:0` })).toEqual({ first: 0, count: 3, skipped: 0, next: 3, writerNext: 3 });
      // B numbers its records from 0 too: they go after A's, none is taken for a replay.
      expect(await store.append(e, LOSS, rows(pts(0, 3)), { start: 0, writer: B, idempotencyKey: `${B}:metric:loss:0` })).toEqual({ first: 3, count: 3, skipped: 0, next: 6, writerNext: 3 });
      // A's retry (its answer was lost) stores nothing; B's overlapping batch stores only what is new.
      expect(await store.append(e, LOSS, rows(pts(0, 3)), { start: 0, writer: A, idempotencyKey: `${A}:metric:loss:0` })).toEqual({ first: 6, count: 0, skipped: 3, next: 6, writerNext: 3 });
      expect(await store.append(e, LOSS, rows(pts(2, 2)), { start: 2, writer: B, idempotencyKey: `${B}:metric:loss:2` })).toEqual({ first: 6, count: 1, skipped: 1, next: 7, writerNext: 4 });
      const gap = await store.append(e, LOSS, rows(pts(9, 1)), { start: 9, writer: A }).catch((err: unknown) => err);
      expect(gap).toBeInstanceOf(StreamGapError);
      expect((gap as StreamGapError).nextIndex).toBe(3);
      // A writer that starts past 0 (a remote-only run numbering from the stream's end) is taken where it says.
      expect(await store.append(e, LOSS, rows(pts(50, 1)), { start: 50, writer: "writer-CCCC" })).toMatchObject({ first: 7, count: 1, writerNext: 51 });
      const page = await store.metricPage(e, "loss", 0, 100);
      expect(page.data.map((p) => [p.index, p.data["v"]])).toEqual([0, 1, 2, 0, 1, 2, 3, 50].map((v, i) => [i, v]));
      expect(await store.writerStreams(e, A)).toEqual([{ stream: LOSS, next: 3 }]);
      expect(await store.writerStreams(e, B)).toEqual([{ stream: LOSS, next: 4 }]);
      expect(await store.writerStreams(e, "writer-none")).toEqual([]);
      expect(await store.streams(e)).toEqual([{ stream: LOSS, next: 8 }]);
    });

    t("concurrent appends of the same positioned batch store it once; appends without a position go at the end", async ({ store }) => {
      const e = await open(store, "alice/p/race");
      const same = await Promise.all(Array.from({ length: 4 }, () => store.append(e, LOSS, rows(pts(0, 10)), { start: 0 })));
      expect(same.map((r) => r.count).sort()).toEqual([0, 0, 0, 10]);
      const free = await Promise.all(Array.from({ length: 3 }, (_, k) => store.append(e, LOSS, rows([{ v: 100 + k }]))));
      expect(free.map((r) => r.first).sort()).toEqual([10, 11, 12]);
      const page = await store.metricPage(e, "loss", 10, 100);
      expect(page.data.map((p) => p.data["v"]).sort()).toEqual([100, 101, 102]);
      expect(page.data.map((p) => p.index)).toEqual([10, 11, 12]);
    });

    t("metric pages, stats and the list; the unnamed metric is null; an unknown metric's stats are NotFoundError", async ({ store }) => {
      const e = await open(store, "alice/p/metrics");
      await store.append(e, LOSS, rows(pts(0, 25)), { start: 0, info: { description: "training loss", tags: ["train"] } });
      await store.append(e, streamId("metric", null), rows([{ epoch: 1 }]));
      await store.append(e, LOSS, { kind: "metric", blocks: [{ kind: "cols", keys: ["v"], cols: [Float64Array.of(25, NaN)], ts: Float64Array.of(25, 26), length: 2 }] }, { start: 25 });
      const page = await store.metricPage(e, "loss", 20, 5);
      expect(page).toMatchObject({ startIndex: 20, endIndex: 24, total: 5, hasMore: true });
      expect(page.data.map((p) => p.index)).toEqual([20, 21, 22, 23, 24]);
      expect(typeof page.data[0]?.createdAt).toBe("string");
      const tail = await store.metricPage(e, "loss", 25, 100);
      expect(tail.hasMore).toBe(false);
      expect(tail.data.map((p) => p.data)).toEqual([{ v: 25, _ts: 25 }, { v: NaN, _ts: 26 }]);
      expect((await store.metricPage(e, "loss", 50, 10)).data).toEqual([]);
      const stats = await store.metricStats(e, "loss");
      expect(stats).toMatchObject({ name: "loss", description: "training loss", tags: ["train"], totalDataPoints: "27" });
      expect((await store.metricStats(e, null)).totalDataPoints).toBe("1");
      await expect(store.metricStats(e, "nothing")).rejects.toThrow(NotFoundError);
      const list = await store.metrics(e);
      expect(list.map((m) => [m.name, m.totalDataPoints]).sort()).toEqual([["loss", "27"], [null, "1"]].sort());
    });

    t("tracks: entries in stored order within an inclusive time range, chosen columns, and each track's description", async ({ store }) => {
      const e = await open(store, "alice/p/tracks");
      const pose = streamId("track", "robot/pose");
      await store.append(e, pose, entries([{ timestamp: 1, x: 1, y: 10 }, { timestamp: 2, x: 2, y: 20 }]), { start: 0, info: { description: "pose" } });
      await store.append(e, pose, entries([{ timestamp: 3, x: 3, y: 30 }]));
      await store.append(e, streamId("track", "cam"), entries([{ timestamp: 5, frame: "f.png" }]));
      expect((await store.trackEntries(e, "robot/pose", {})).map((r) => r.timestamp)).toEqual([1, 2, 3]);
      expect(await store.trackEntries(e, "robot/pose", { start: 2, end: 3, columns: ["x"] })).toEqual([{ timestamp: 2, x: 2 }, { timestamp: 3, x: 3 }]);
      expect(await store.trackEntries(e, "nothing", {})).toEqual([]);
      const infos = await store.tracks(e);
      expect(infos.map((i) => i.topic).sort()).toEqual(["cam", "robot/pose"]);
      expect(infos.find((i) => i.topic === "robot/pose")).toMatchObject({ totalEntries: 3, firstTimestamp: 1, lastTimestamp: 3 });
      expect((await store.tracks(e, { topic: "cam" })).map((i) => i.topic)).toEqual(["cam"]);
      expect((await store.streams(e)).map((s) => [s.stream.key, s.next]).sort()).toEqual([["track:cam", 1], ["track:robot/pose", 3]]);
    });

    t("logs: numbered in order, filtered by sequence, level, text, metadata and time, paged, newest first or the tail", async ({ store }) => {
      const e = await open(store, "alice/p/logs");
      const ts = (s: number): string => `2026-01-01T00:00:0${s}.000000Z`;
      const r = await store.append(e, streamId("log", null), lines([
        { ts: ts(0), level: "info", message: "Training started" },
        { ts: ts(1), level: "debug", message: "warm-up", metadata: { epoch: 0 } },
        { ts: ts(2), level: "warn", message: "low memory", metadata: { free: "512 MB" } },
        { ts: ts(3), level: "error", message: "NaN loss" },
        { ts: ts(4), level: "info", message: "Training done" },
      ]), { start: 0 });
      expect(r).toEqual({ first: 0, count: 5, skipped: 0, next: 5 });
      const all = await store.logs(e);
      expect(all.logs.map((l) => l.sequenceNumber)).toEqual([0, 1, 2, 3, 4]);
      expect(all).toMatchObject({ total: 5, matched: 5, nextSequence: 5, first: ts(0), last: ts(4), counts: { info: 2, debug: 1, warn: 1, error: 1 } });
      expect(all.logs[1]).toMatchObject({ timestamp: ts(1), level: "debug", message: "warm-up", metadata: { epoch: 0 } });
      const msgs = async (q: Parameters<RunStore["logs"]>[1]): Promise<string[]> => (await store.logs(e, q)).logs.map((l) => l.message);
      expect(await msgs({ fromSequence: 3 })).toEqual(["NaN loss", "Training done"]);
      expect(await msgs({ levels: ["warn", "error"] })).toEqual(["low memory", "NaN loss"]);
      expect(await msgs({ levels: [] })).toEqual([]);
      expect(await msgs({ search: "TRAINING" })).toEqual(["Training started", "Training done"]);
      expect(await msgs({ search: "512" })).toEqual([]);
      expect(await msgs({ search: "512", searchMetadata: true })).toEqual(["low memory"]);
      expect(await msgs({ from: ts(1), to: ts(3) })).toEqual(["warm-up", "low memory", "NaN loss"]);
      expect(await msgs({ from: Date.parse(ts(3)) })).toEqual(["NaN loss", "Training done"]);
      expect(await msgs({ order: "desc", offset: 1, limit: 2 })).toEqual(["NaN loss", "low memory"]);
      expect(await msgs({ tail: true, limit: 2 })).toEqual(["NaN loss", "Training done"]);
      const page = await store.logs(e, { levels: ["info"], limit: 1 });
      expect([page.matched, page.total, page.logs.length]).toEqual([2, 5, 1]);
      const before = all.revision;
      await store.append(e, streamId("log", null), lines([{ ts: ts(5), level: "info", message: "later" }]));
      expect((await store.logs(e)).revision).not.toBe(before);
      expect((await store.logs(await open(store, "alice/p/quiet"))).logs).toEqual([]);
    });

    t("parameters merge; the version counts writes, follows a higher one given, and a replayed version does not count", async ({ store }) => {
      const e = await open(store, "alice/p/params");
      expect(await store.params(e)).toBeUndefined();
      expect(await store.mergeParams(e, { lr: 0.1, "model.layers": 3 })).toMatchObject({ version: 1, data: { lr: 0.1, "model.layers": 3 } });
      expect(await store.mergeParams(e, { lr: 0.01 })).toMatchObject({ version: 2, data: { lr: 0.01, "model.layers": 3 } });
      expect((await store.mergeParams(e, { seed: 1 }, { version: 7 })).version).toBe(7);
      const replay = await store.mergeParams(e, { seed: 1 }, { version: 7 });
      expect(replay).toMatchObject({ version: 7, data: { lr: 0.01, "model.layers": 3, seed: 1 } });
      expect(await store.params(e)).toMatchObject({ version: 7, data: { lr: 0.01, "model.layers": 3, seed: 1 } });
    });

    t("what was stored is there after a restart, with the same ids", async (f) => {
      const e = await open(f.store, "alice/p/restart/run");
      await f.store.append(e, LOSS, rows(pts(0, 4)), { start: 0 });
      await f.store.mergeParams(e, { lr: 1 });
      await f.store.setStatus(e, "FAILED");
      await f.store.close();
      const again = await f.reopen();
      try {
        await again.ready();
        const found = await again.experiment(e.id);
        expect(found).toMatchObject({ id: e.id, nodeId: e.nodeId, path: e.path, projectId: e.projectId, parentId: e.parentId });
        expect((await again.describe(found as ExperimentRef)).status).toBe("FAILED");
        expect(await again.streams(found as ExperimentRef)).toEqual([{ stream: LOSS, next: 4 }]);
        expect((await again.params(found as ExperimentRef))?.data).toEqual({ lr: 1 });
        expect((await again.append(found as ExperimentRef, LOSS, rows(pts(2, 4)), { start: 2 })).count).toBe(2);
        expect((await open(again, "alice/p/restart/run")).id).toBe(e.id);
      } finally {
        await again.close();
      }
    });

    t("sync() while appends run, and concurrent syncs, lose nothing and resolve", async ({ store }) => {
      const e = await open(store, "alice/p/sync/run");
      await store.sync(); // nothing written yet
      const syncs: Promise<void>[] = [];
      for (let i = 0; i < 8; i++) {
        const appended = store.append(e, LOSS, rows(pts(i * 10, 10)), { start: i * 10 });
        syncs.push(store.sync()); // while the append runs
        await appended;
      }
      await Promise.all(syncs);
      await Promise.all([store.sync(), store.sync()]);
      expect(await store.streams(e)).toEqual([{ stream: LOSS, next: 80 }]);
      expect((await store.metricPage(e, "loss", 0, 100)).data.map((p) => p.data["v"])).toEqual(pts(0, 80).map((p) => p["v"]));
    });

    runStoreFileChecks(t);
    runStoreReadChecks(t);
  });
}
