/**
 * Remote-only and hybrid runs from Node against our server over loopback: what is written
 * reads back through read() / stats() / list() / slice() exactly as written; the server's tree
 * matches the local one; resume; exp.id / exp.data; tokens.
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { memoryAdapter, MemoryStore } from "../../../adapters/memory/index.ts";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { AuthenticationError, Experiment, type ExperimentOptions } from "../../../src/index.ts";
import { parseJsonLines } from "../../../src/layout/py-json-parse.ts";
import type { StorageAdapter } from "../../../src/storage/contract.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

/** Whole runs against a server over loopback: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const PY_RUN = join(import.meta.dirname, "../../fixtures/python-run"); // vendored: a fresh clone has no ../shared

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ token: "tok-123456789" });
});
afterAll(async () => srv.close());

const remote = (prefix: string, o: ExperimentOptions = {}): Experiment =>
  new Experiment(prefix, { dashUrl: srv.url, token: "tok-123456789", storage: null, echo: false, ...o });

async function lines(storage: StorageAdapter, key: string): Promise<Record<string, unknown>[]> {
  const b = await storage.read(key);
  return b ? parseJsonLines<Record<string, unknown>>(b).records : [];
}

/** Records of a folder with the fields that do not depend on when or where they were written. */
async function content(storage: StorageAdapter, dir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of await storage.list(dir)) {
    const rel = key.slice(dir.length + 1);
    if (!rel.endsWith(".jsonl")) continue;
    out[rel] = (await lines(storage, key)).map((r) => {
      const { createdAt: _c, ...rest } = r;
      return rest;
    });
  }
  return out;
}

/** A run that exercises every stream kind, with values JSON cannot carry. */
async function workload(exp: Experiment, n = 2500): Promise<void> {
  exp.params.set({ lr: 1e-3, model: { layers: [64, 32], name: "mlp" } });
  for (let i = 0; i < n; i++) exp.metrics("train").log({ loss: 1 / (i + 1), step: i, _ts: 1000 + i });
  exp.metrics("train").log({ loss: NaN, step: n, _ts: 1000 + n });
  exp.metrics("eval").log({ acc: Infinity, note: "odd", ok: true, _ts: 5000 });
  exp.metrics.log({ epoch: 1, eval: { loss: -Infinity }, _ts: 6000 });
  for (let i = 0; i < 300; i++) exp.tracks("robot/pose").append({ x: i, q: [i, i + 1], pose: { z: -i }, _ts: 10 + i / 10 });
  exp.logs.info("hello", { epoch: 1 });
  exp.logs.warn("ünïcode ✓");
  exp.log("plain");
}

describe("remote-only", () => {
  test("a run reaches the server and reads back through the SDK exactly as written", async () => {
    const exp = remote("alice/modes/remote/run-1", { readme: "remote run", tags: ["r"] });
    expect(exp.mode).toBe("remote");
    await exp.run.start();
    await workload(exp);
    await exp.flush();
    const page = await exp.metrics("train").read({ startIndex: 2495, limit: 10 });
    expect(page.data.map((p) => [p.index, p.data["step"]])).toEqual([2495, 2496, 2497, 2498, 2499, 2500].map((i) => [i, i]));
    expect(page.data.at(-1)?.data).toEqual({ loss: NaN, step: 2500, _ts: 3500 });
    expect(page.hasMore).toBe(false);
    expect((await exp.metrics("eval").read()).data.map((p) => p.data)).toEqual([
      { acc: Infinity, note: "odd", ok: true, _ts: 5000 },
      { loss: -Infinity, epoch: 1, _ts: 6000 },
    ]);
    expect((await exp.metrics("train").stats()).totalDataPoints).toBe("2501");
    expect((await exp.metrics.list()).map((m) => m.name).sort()).toEqual(["eval", "train", null].sort());
    const s = await exp.tracks("robot/pose").slice(10, 11);
    expect(s.length).toBe(11);
    expect([...s][3]).toEqual({ timestamp: 10.3, x: 3, q: [3, 4], "pose.z": -3 });
    expect(s.findByTime(10.55)).toMatchObject({ x: 5 });
    expect((await exp.logs.read()).map((l) => [l.sequenceNumber, l.level, l.message])).toEqual([
      [0, "info", "hello"],
      [1, "warn", "ünïcode ✓"],
      [2, "info", "plain"],
    ]);
    await exp.run.complete();
    expect(exp.stats).toMatchObject({ queued: 0, written: 0, sent: 2501 + 3 + 300 + 3, dropped: 0 });
    // exp.id and exp.data come from the server's create answer.
    const data = exp.data as { experiment: { id: string; prefix: string }; node: { id: string }; project: { slug: string } };
    expect(exp.id).toBe(data.experiment.id);
    expect(data.experiment.prefix).toBe("alice/modes/remote/run-1");
    expect(data.project.slug).toBe("modes");
    const doc = JSON.parse(new TextDecoder().decode((await srv.storage.read("alice/modes/remote/run-1/experiment.json")) as Uint8Array));
    expect(doc).toMatchObject({ id: exp.id, status: "COMPLETED", description: "remote run", tags: ["r"] });
    const params = JSON.parse(new TextDecoder().decode((await srv.storage.read("alice/modes/remote/run-1/parameters.json")) as Uint8Array));
    expect(params.data).toEqual({ lr: 1e-3, "model.layers": [64, 32], "model.name": "mlp" });
  }, IO_TIMEOUT_MS);

  test("reopening the prefix resumes: indices continue and params come back from the server", async () => {
    const a = remote("alice/modes/remote/resume");
    await a.run(async (e) => {
      e.params.set({ lr: 0.1 });
      for (let i = 0; i < 10; i++) e.metrics("m").log({ i });
      e.tracks("t").append({ v: 1, _ts: 1 });
      e.logs.info("first");
    });
    const b = remote("alice/modes/remote/resume");
    await b.run(async (e) => {
      expect(e.params.get()).toEqual({ lr: 0.1 });
      e.params.set({ bs: 32 });
      for (let i = 10; i < 15; i++) e.metrics("m").log({ i });
      e.tracks("t").append({ v: 2, _ts: 2 });
      e.logs.info("second");
    });
    expect(b.id).toBe(a.id);
    const base = "alice/modes/remote/resume";
    expect((await lines(srv.storage, `${base}/metrics/m/data.jsonl`)).map((r) => [r["index"], (r["data"] as { i: number }).i])).toEqual(
      Array.from({ length: 15 }, (_, i) => [i, i]),
    );
    expect((await lines(srv.storage, `${base}/logs/logs.jsonl`)).map((r) => [r["sequenceNumber"], r["message"]])).toEqual([
      [0, "first"],
      [1, "second"],
    ]);
    expect(await lines(srv.storage, `${base}/tracks/t/data.jsonl`)).toEqual([
      { timestamp: 1, v: 1 },
      { timestamp: 2, v: 2 },
    ]);
    const params = JSON.parse(new TextDecoder().decode((await srv.storage.read(`${base}/parameters.json`)) as Uint8Array));
    expect(params.data).toEqual({ lr: 0.1, bs: 32 });
  }, IO_TIMEOUT_MS);

  test("a prefix without owner/project is refused at start; no token gives AuthenticationError saying how to give one", async () => {
    await expect(remote("solo").run.start()).rejects.toThrow(/owner\/project\/name/);
    const noToken = new Experiment("alice/modes/remote/no-token", { dashUrl: srv.url, storage: null, echo: false });
    const err = await noToken.run.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    // ml-dash/core cannot read the environment: the message says to pass the token option.
    expect(String((err as Error).message)).toMatch(/No ML-Dash token for http:\/\/127\.0\.0\.1:\d+\. Pass \{ token \}/);
    expect((err as AuthenticationError).code).toBe("NO_TOKEN");
    const wrong = new Experiment("alice/modes/remote/bad-token", { dashUrl: srv.url, token: "wrong-token-value", storage: null, echo: false });
    const e2 = await wrong.run.start().catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(AuthenticationError);
    expect(String((e2 as Error).message)).toContain("401");
    expect(String((e2 as Error).message)).not.toContain("wrong-token-value");
    expect(JSON.stringify(wrong.stats)).not.toContain("wrong-token-value");
  }, IO_TIMEOUT_MS);

  test("a token provider is asked before requests", async () => {
    let asked = 0;
    const exp = remote("alice/modes/remote/provider", {
      token: async () => {
        asked++;
        return "tok-123456789";
      },
    });
    await exp.run(async (e) => e.metrics("m").log({ v: 1 }));
    expect(asked).toBeGreaterThanOrEqual(3); // create, batch, status
  }, IO_TIMEOUT_MS);
});

describe("hybrid", () => {
  test("the local store and the server hold the same records; exp.data is the server's answer", async () => {
    const storage = memoryAdapter();
    const exp = new Experiment("alice/modes/hybrid/run-1", { dashUrl: srv.url, token: "tok-123456789", storage, echo: false });
    expect(exp.mode).toBe("hybrid");
    await exp.run(async (e) => workload(e));
    const dir = "alice/modes/hybrid/run-1";
    const local = await content(storage, dir);
    expect(Object.keys(local).sort()).toEqual(["logs/logs.jsonl", "metrics/None/data.jsonl", "metrics/eval/data.jsonl", "metrics/train/data.jsonl", "tracks/robot_pose/data.jsonl"]);
    expect(await content(srv.storage, dir)).toEqual(local);
    expect((exp.data as { experiment: { id: string } }).experiment.id).toBe(exp.id);
    expect(exp.stats).toMatchObject({ written: 2501 + 3 + 300 + 3, sent: 2501 + 3 + 300 + 3, dropped: 0 });
    // Reads come from the local store, which has everything first.
    expect((await exp.metrics("train").stats()).totalDataPoints).toBe("2501");
  }, IO_TIMEOUT_MS);

  test("a run written locally (by Python here) is uploaded from the local files when it is opened in hybrid mode", async () => {
    const root = tempDir("hybrid-py");
    cpSync(PY_RUN, root, { recursive: true });
    const storage = nodeFsAdapter({ root });
    const dir = "alice/reference/mlp/python-run";
    const before = await content(storage, dir);
    const exp = new Experiment(dir, { dashUrl: srv.url, token: "tok-123456789", storage, echo: false });
    await exp.run.start();
    exp.metrics("train").log({ loss: 0.01, acc: 1, step: 31 });
    await exp.run.complete();
    const server = await content(srv.storage, dir);
    const local = await content(storage, dir);
    expect((local["metrics/train/data.jsonl"] as unknown[]).length).toBe(32);
    expect(server).toEqual(local);
    // What Python wrote arrived unchanged (NaN and ±Infinity included).
    for (const [k, v] of Object.entries(before)) expect((server[k] as unknown[]).slice(0, (v as unknown[]).length), k).toEqual(v);
    const params = JSON.parse(new TextDecoder().decode((await srv.storage.read(`${dir}/parameters.json`)) as Uint8Array));
    expect(params.data["model.arch"]).toBe("mlp");
  }, IO_TIMEOUT_MS);

  test("a second local store on the same prefix (a reset, or another machine) loses nothing: its records go after what the server holds", async () => {
    const reports: string[] = [];
    const run = async (n: number, from: number): Promise<void> => {
      const e = new Experiment("alice/modes/hybrid/reset", { dashUrl: srv.url, token: "tok-123456789", storage: memoryAdapter(), echo: false, onError: (x) => reports.push(x.code) });
      await e.run(async (x) => {
        for (let i = from; i < from + n; i++) x.metrics("m").log({ i });
      });
    };
    await run(100, 0);
    await run(50, 100); // a fresh (empty) local store, same prefix
    const got = await lines(srv.storage, "alice/modes/hybrid/reset/metrics/m/data.jsonl");
    expect(got.map((r) => [r["index"], (r["data"] as { i: number }).i])).toEqual(Array.from({ length: 150 }, (_, i) => [i, i]));
    // Each store uploads as its own writer (.writer-id), so the server holding more is no surprise.
    expect(reports).not.toContain("REMOTE_AHEAD");
  }, IO_TIMEOUT_MS);

  test("memory of the upload queue is bounded: past the cap, batches are re-read from the local store", async () => {
    const inner = memoryAdapter();
    let rangeReads = 0;
    const storage: StorageAdapter = {
      ...inner,
      readRange: (key, start, end) => {
        if (key.endsWith("metrics/m/data.jsonl")) rangeReads++;
        return inner.readRange(key, start, end);
      },
    };
    // A 256 KiB buffer bound: at most 64 KiB of batches wait in memory for the server.
    const exp = new Experiment("alice/modes/hybrid/spill", { dashUrl: srv.url, token: "tok-123456789", storage, echo: false, buffer: { maxBatch: 500, maxQueueBytes: 256 * 1024 } });
    await exp.run(async (e) => {
      for (let i = 0; i < 20_000; ) {
        for (const end = i + 1000; i < end; i++) e.metrics("m").log({ i, v: i * 2 });
        await new Promise((r) => setImmediate(r));
      }
    });
    expect(exp.stats.dropped).toBe(0);
    const got = await lines(srv.storage, "alice/modes/hybrid/spill/metrics/m/data.jsonl");
    expect(got.map((r) => r["index"])).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(got.every((r, i) => (r["data"] as { v: number }).v === 2 * i)).toBe(true);
    expect(rangeReads).toBeGreaterThan(0);
  }, IO_TIMEOUT_MS);
});
