/**
 * The `.dash` layout as interchange: a run written by ML-Dash Python reads back here, a run
 * written here has Python's exact shapes (golden tree), and Python's json module reads and
 * re-dumps what we wrote byte for byte.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { Experiment } from "../../src/index.ts";
import { LocalReader } from "../../src/backends/local/local-reader.ts";
import { REPO } from "../support/child.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** The checks run ML-Dash Python's code in python3 child processes: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const PY_RUN_ROOT = join(REPO, "test/fixtures/python-run"); // copied from the shared reference, so a fresh clone has it
const PREFIX = "alice/reference/mlp/python-run";

function files(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

const hasPython = spawnSync("python3", ["-c", "import json"]).status === 0;

describe("a run written by ML-Dash Python", () => {
  test("reads back through the local reader without touching it", async () => {
    const reader = new LocalReader(nodeFsAdapter({ root: PY_RUN_ROOT }), PREFIX);
    const train = await reader.readMetric("train", 0, 1000);
    expect(train.data.map((d) => d.index)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(train.data[0]).toEqual({ index: 0, data: { loss: 1, acc: 0, step: 0, _ts: 1795675257.4115627 }, createdAt: "2026-11-26T06:40:57.417423Z" });
    expect(train.hasMore).toBe(false);
    const evalPage = await reader.readMetric("eval", 0, 10);
    expect(evalPage.data[0]?.data).toEqual({ loss: NaN, acc: Infinity, worst: -Infinity, step: 0, _ts: 1795675257.4116938 });
    expect(evalPage.data[1]?.data).toMatchObject({ epoch: 1, loss: 0.4 });
    expect((await reader.readMetric(null, 0, 10)).data.map((d) => d.data)).toEqual([{ epoch: 1, _ts: 1795675257.4117079 }]);
    expect((await reader.readMetric("batch", 0, 10)).data[0]?.data).toMatchObject({ "loss.mean": 2.5, "loss.max": 4, "loss.count": 4 });
    expect(await reader.metricStats("train")).toMatchObject({ metricId: "local-metric-train", totalDataPoints: "31", firstDataAt: "2026-11-26T06:40:57.417409Z" });
    const list = await reader.listMetrics();
    expect(list.map((m) => m.name)).toEqual([null, "batch", "eval", "train"]);
    expect(await reader.readTrack("robot/pose", {})).toEqual([
      { timestamp: 10, x: 1, y: 2, q: [0, 0.5] },
      { timestamp: 11, x: 1.5, y: 2.5, q: [0.1, 0.6] },
      { timestamp: 13, x: 2, y: 3, q: [0.2, 0.7] },
    ]);
    expect(await reader.readTrack("sensors", {})).toEqual([{ timestamp: 12, "imu.ax": 0.1, "imu.ay": 0.2 }]);
    expect(await reader.readTrack("camera/left", { start: 11, end: 11 })).toEqual([{ timestamp: 11, width: 640, height: 480 }]);
    const logs = await reader.readLogs(0, 100);
    expect(logs.map((l) => [l.sequenceNumber, l.level, l.message])).toEqual([
      [0, "info", "Training started"],
      [1, "debug", "warm-up"],
      [2, "warn", "low memory"],
      [3, "error", "bad batch"],
      [4, "info", "Resumed"],
    ]);
  }, IO_TIMEOUT_MS);

  test("a read-only open (exp.run.open()) and every read API change no byte of it", async () => {
    const root = tempDir("pyreadonly");
    cpSync(PY_RUN_ROOT, root, { recursive: true });
    execFileSync("chmod", ["-R", "u+w", root]);
    const sums = (): Record<string, string> =>
      Object.fromEntries(files(root).map((f) => [f, createHash("sha256").update(readFileSync(join(root, f))).digest("hex")]));
    const before = sums();
    const exp = new Experiment(PREFIX, { storage: nodeFsAdapter({ root }), echo: false });
    await exp.run.open();
    expect(exp.data).toMatchObject({ name: "python-run", description: "python reference run (a)" });
    expect(exp.params.get()).toMatchObject({ learning_rate: 0.0005, batch_size: 32 });
    expect((await exp.metrics.list()).map((m) => m.name)).toEqual([null, "batch", "eval", "train"]);
    for (const name of ["train", "eval", "batch"]) {
      expect((await exp.metrics(name).read({ limit: 100 })).data.length).toBeGreaterThan(0);
      expect(Number((await exp.metrics(name).stats()).totalDataPoints)).toBeGreaterThan(0);
    }
    expect((await exp.logs.read()).length).toBe(5);
    expect((await exp.tracks("robot/pose").read()).count).toBe(3);
    expect((await exp.tracks("sensors").slice()).length).toBe(1);
    expect((await exp.files.list()).length).toBeGreaterThan(0);
    // Writes are refused, clearly, and change nothing either.
    expect(() => exp.metrics("train").log({ loss: 1 })).toThrow(/read-only/);
    expect(() => exp.params.set({ lr: 1 })).toThrow(/read-only/);
    await exp.run.complete(); // closes; records nothing
    expect(exp.status).toBe("PENDING");
    expect(sums()).toEqual(before);
  }, IO_TIMEOUT_MS);

  test("resumes: params, indices, sequence numbers and track counts continue where Python stopped", async () => {
    const root = tempDir("pyresume");
    cpSync(PY_RUN_ROOT, root, { recursive: true });
    execFileSync("chmod", ["-R", "u+w", root]);
    const exp = new Experiment(PREFIX, { storage: nodeFsAdapter({ root }), echo: false });
    await exp.run(async (e) => {
      expect(e.params.get()).toEqual({ learning_rate: 0.0005, batch_size: 32, "model.arch": "mlp", "model.layers": [64, 32], "model.dropout": 0.2 });
      expect(e.params.get({ flatten: false })).toMatchObject({ model: { arch: "mlp", layers: [64, 32], dropout: 0.2 } });
      e.params.set({ batch_size: 64 });
      e.logs.info("Resumed from TypeScript");
      e.metrics("train").log({ loss: 0.01, step: 31 });
      e.tracks("robot/pose").append({ x: 3, y: 4, q: [0.3, 0.8], _ts: 14 });
      const slice = await e.tracks("robot/pose").slice();
      expect(slice.findByTime(12).timestamp).toBe(11);
      expect(slice.length).toBe(4);
    });
    const base = join(root, PREFIX);
    const read = (p: string): string => readFileSync(join(base, p), "utf8");
    expect(read("metrics/train/data.jsonl").trimEnd().split("\n").at(-1)).toMatch(/^\{"index": 31, "data": \{"loss": 0\.01, "step": 31, "_ts": /);
    expect(JSON.parse(read("metrics/train/metadata.json"))).toMatchObject({ totalDataPoints: 32, nextIndex: 32, createdAt: "2026-11-26T06:40:57.417409Z" });
    expect(read("logs/logs.jsonl").trimEnd().split("\n").at(-1)).toMatch(/^\{"sequenceNumber": 5, /);
    expect(read("logs/.log_sequence")).toBe("6");
    expect(JSON.parse(read("parameters.json"))).toMatchObject({ version: 3, data: { batch_size: 64, learning_rate: 0.0005 } });
    expect(JSON.parse(read("tracks/robot_pose/metadata.json"))).toMatchObject({ totalEntries: 4, firstTimestamp: 10, lastTimestamp: 14, columns: ["q", "x", "y"] });
    const doc = JSON.parse(read("experiment.json"));
    expect(doc).toMatchObject({ name: "python-run", project: "reference", description: "python reference run (a)", bindrs: ["team-a"], status: "COMPLETED" });
    expect(Object.keys(doc).slice(0, 9)).toEqual(["name", "project", "description", "tags", "bindrs", "prefix", "metadata", "created_at", "write_protected"]);
  }, IO_TIMEOUT_MS);
});

/** Replaces times (ISO stamps and `_ts` floats) so two runs of the same script compare equal. */
function normalize(text: string): string {
  return text.replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z"/g, '"<time>"').replace(/"_ts": \d+\.?\d*(e[+-]?\d+)?/g, '"_ts": <ts>');
}

async function writeGoldenRun(root: string): Promise<void> {
  const exp = new Experiment("alice/proj/folderA/sub/exp1", {
    storage: nodeFsAdapter({ root }),
    readme: "desc",
    tags: ["t1"],
    metadata: { k: 1 },
    echo: false,
  });
  await exp.run(async (e) => {
    e.logs.info("hello", { epoch: 1 });
    e.log("skipped", { level: "debug" });
    e.logs.error("bad");
    e.params.set({ model: { lr: 0.001 }, optimizer: "adam" });
    e.params.set({ model: { lr: 0.01, layers: { n: 2 } }, arr: [1, 2] });
    e.params.set({ Args: { batch_size: 64 } });
    for (let i = 0; i < 3; i++) e.metrics("train").log({ loss: 0.5 / (i + 1), step: i });
    e.metrics("eval").log({ loss: NaN, acc: Infinity, step: 1, _ts: 123.5 });
    e.metrics.log({ epoch: 1, train: { loss: 0.4 }, eval: { loss: 0.6 } });
    e.tracks("robot/pos").append({ q: [1, 2], _ts: 1 });
    e.tracks("robot/pos").append({ q: [3, 4], _ts: 0.5 });
    e.tracks("robot/pos").append({ nested: { a: { b: 1 } }, e: 5, _ts: 1 });
    e.tracks("sensors").append({ imu: { ax: 0.1, ay: 0.2 }, _ts: 12 });
  });
}

const GOLDEN: Record<string, string> = {
  "experiment.json":
    '{"name": "exp1", "project": "proj", "description": "desc", "tags": ["t1"], "bindrs": [], "prefix": "alice/proj/folderA/sub/exp1", "metadata": {"k": 1}, "created_at": "<time>", "write_protected": false, "status": "COMPLETED", "updated_at": "<time>"}',
  "parameters.json": '{"version": 3, "data": {"model.lr": 0.01, "optimizer": "adam", "model.layers.n": 2, "arr": [1, 2], "Args.batch_size": 64}, "updatedAt": "<time>"}',
  "logs/.log_sequence": "3",
  "logs/logs.jsonl":
    '{"sequenceNumber": 0, "timestamp": "<time>", "level": "info", "message": "hello", "metadata": {"epoch": 1}}\n' +
    '{"sequenceNumber": 1, "timestamp": "<time>", "level": "debug", "message": "skipped"}\n' +
    '{"sequenceNumber": 2, "timestamp": "<time>", "level": "error", "message": "bad"}\n',
  "metrics/None/data.jsonl": '{"index": 0, "data": {"epoch": 1, "_ts": <ts>}, "createdAt": "<time>"}\n',
  "metrics/None/metadata.json":
    '{"metricId": "local-metric-None", "name": null, "description": null, "tags": [], "metadata": null, "totalDataPoints": 1, "nextIndex": 1, "createdAt": "<time>", "updatedAt": "<time>"}',
  "metrics/eval/data.jsonl":
    '{"index": 0, "data": {"loss": NaN, "acc": Infinity, "step": 1, "_ts": <ts>}, "createdAt": "<time>"}\n' +
    '{"index": 1, "data": {"epoch": 1, "loss": 0.6, "_ts": <ts>}, "createdAt": "<time>"}\n',
  "metrics/eval/metadata.json":
    '{"metricId": "local-metric-eval", "name": "eval", "description": null, "tags": [], "metadata": null, "totalDataPoints": 2, "nextIndex": 2, "createdAt": "<time>", "updatedAt": "<time>"}',
  "metrics/train/data.jsonl":
    '{"index": 0, "data": {"loss": 0.5, "step": 0, "_ts": <ts>}, "createdAt": "<time>"}\n' +
    '{"index": 1, "data": {"loss": 0.25, "step": 1, "_ts": <ts>}, "createdAt": "<time>"}\n' +
    '{"index": 2, "data": {"loss": 0.16666666666666666, "step": 2, "_ts": <ts>}, "createdAt": "<time>"}\n' +
    '{"index": 3, "data": {"epoch": 1, "loss": 0.4, "_ts": <ts>}, "createdAt": "<time>"}\n',
  "metrics/train/metadata.json":
    '{"metricId": "local-metric-train", "name": "train", "description": null, "tags": [], "metadata": null, "totalDataPoints": 4, "nextIndex": 4, "createdAt": "<time>", "updatedAt": "<time>"}',
  "tracks/robot_pos/data.jsonl": '{"timestamp": 0.5, "q": [3, 4]}\n{"timestamp": 1, "q": [1, 2], "nested.a.b": 1, "e": 5}\n',
  "tracks/robot_pos/metadata.json":
    '{"trackId": "local-track-robot_pos", "topic": "robot/pos", "columns": ["e", "nested.a.b", "q"], "totalEntries": 2, "firstTimestamp": 0.5, "lastTimestamp": 1, "createdAt": "<time>"}',
  "tracks/sensors/data.jsonl": '{"timestamp": 12, "imu.ax": 0.1, "imu.ay": 0.2}\n',
  "tracks/sensors/metadata.json":
    '{"trackId": "local-track-sensors", "topic": "sensors", "columns": ["imu.ax", "imu.ay"], "totalEntries": 1, "firstTimestamp": 12, "lastTimestamp": 12, "createdAt": "<time>"}',
};

describe("a run written by this SDK", () => {
  test("golden tree: every file has the paths, keys, key order and records ML-Dash Python writes", async () => {
    const root = tempDir("golden");
    await writeGoldenRun(root);
    const base = join(root, "alice/proj/folderA/sub/exp1");
    expect(files(base)).toEqual(Object.keys(GOLDEN).sort());
    for (const [path, expected] of Object.entries(GOLDEN)) {
      expect(normalize(readFileSync(join(base, path), "utf8")), path).toBe(expected);
    }
    // The sequence of _ts values is the one the script produced: explicit 123.5, shared group stamp.
    const evalLines = readFileSync(join(base, "metrics/eval/data.jsonl"), "utf8").trimEnd().split("\n");
    expect(evalLines[0]).toContain('"_ts": 123.5}');
  }, IO_TIMEOUT_MS);

  test.skipIf(!hasPython)("Python's json module reads every file and re-dumps each record byte for byte", async () => {
    const root = tempDir("pyread");
    await writeGoldenRun(root);
    const script = `
import json, os, sys
root = sys.argv[1]
n = 0
for dirpath, _, names in os.walk(root):
    for name in names:
        p = os.path.join(dirpath, name)
        text = open(p, encoding="utf-8").read()
        if name == ".log_sequence":
            int(text); n += 1; continue
        lines = text.splitlines() if name.endswith(".jsonl") else [text]
        for line in lines:
            value = json.loads(line)
            again = json.dumps(value)
            if again != line:
                print("MISMATCH", p, repr(line), repr(again)); sys.exit(1)
            n += 1
print("ok", n)
`;
    const out = execFileSync("python3", ["-c", script, root], { encoding: "utf8" });
    expect(out.trim()).toBe("ok 21");
  }, IO_TIMEOUT_MS);
});
