/**
 * ML-Dash Python 0.6.27's SDK (the real client, vendored) runs its whole public API against
 * `ml-dash serve` (test/python/sdk_full.py), remote-only and hybrid, buffered and not, with 3- and
 * 5-segment prefixes; every value it reads back is checked here.
 *
 * `ml-dash serve` answers every request itself, GraphQL (`POST /graphql`) included.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PYTHON_SUITE_TIMEOUT_MS, pythonSkipReason } from "../support/python.ts";
import { readMcap } from "../support/mcap-read.ts";
import { failed, ok, saveRecording, startPythonBench, type PythonBench, type ScenarioRun } from "../support/python-scenarios.ts";
import { FILES, paths, POSE, POSE_UNMERGED, sdkRunChecks, type SdkVariant } from "../support/python-sdk-checks.ts";

const skip = pythonSkipReason();
const NS = "alice";
let bench: PythonBench;
const runs: Record<string, Promise<ScenarioRun>> = {};

beforeAll(async () => {
  if (skip) return;
  bench = await startPythonBench({ namespace: NS });
  // The buffer's thread also flushes every 5 s on its own, racing the scenario's explicit flushes
  // (two batches of one metric in flight at once can arrive out of order, a track flushed between
  // two appends at one timestamp is not merged): here it flushes only when asked.
  const buffered = { ML_DASH_FLUSH_INTERVAL: "1000000" };
  runs["remote"] = bench.scenario("sdk_full.py", ["remote", "URL", `${NS}/py-remote/run`], buffered);
  runs["hybrid"] = bench.scenario("sdk_full.py", ["hybrid", "URL", `${NS}/py-hybrid/f1/f2/run`], buffered);
  runs["unbuffered"] = bench.scenario("sdk_full.py", ["remote", "URL", `${NS}/py-direct/f1/f2/run`], { ML_DASH_BUFFER_ENABLED: "false" });
  for (const [name, run] of Object.entries(runs)) run.then((r) => saveRecording(`sdk-${name}`, r), () => undefined);
  // The tests only read what the runs printed.
  await Promise.allSettled(Object.values(runs));
}, PYTHON_SUITE_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(Object.values(runs));
  await bench?.stop();
});

describe.skipIf(skip)(`ML-Dash Python's SDK against ml-dash serve${skip ? ` (skipped: ${skip})` : ""}`, () => {
  describe.each([
    ["remote", "remote-only, buffered, prefix alice/py-remote/run"],
    ["hybrid", "hybrid (local .dash + server), buffered, prefix alice/py-hybrid/f1/f2/run"],
    ["unbuffered", "remote-only, ML_DASH_BUFFER_ENABLED=false, prefix alice/py-direct/f1/f2/run"],
  ])("%s: %s", (variant) => {
    sdkRunChecks(variant as SdkVariant, async () => (await runs[variant]) as ScenarioRun);
  });

  test("unbuffered saves answer with the stored file's record at once", async () => {
    const { doc } = (await runs["unbuffered"]) as ScenarioRun;
    expect(ok(doc, "files.upload")).toMatchObject({ id: expect.stringMatching(/^\d+$/), path: "models", filename: "model.bin", sizeBytes: 1024, description: "checkpoint", tags: ["ckpt"], metadata: { epoch: 3 } });
    expect(ok(doc, "files.save_text")).toMatchObject({ path: "notes", filename: "readme.txt", contentType: "text/plain", sizeBytes: 12 });
    // buffered, the same call answers a placeholder
    expect(ok((await runs["remote"] as ScenarioRun).doc, "files.upload")).toEqual({ id: "pending", status: "queued" });
  });

  test("hybrid keeps its own copy: the local tree holds every run of the scenario", async () => {
    const { doc } = (await runs["hybrid"]) as ScenarioRun;
    const tree = ok<string[]>(doc, "local.tree");
    for (const run of ["run", "run-failed", "run-cancelled", "run-explicit-fail", "run-context", "run-decorated"]) {
      expect(tree).toContain(`alice/py-hybrid/f1/f2/${run}/experiment.json`);
    }
    expect(tree).toContain("alice/py-hybrid/f1/f2/run/metrics/train/data.jsonl");
    expect(tree).toContain("alice/py-hybrid/f1/f2/run/tracks/robot_pose/data.jsonl");
  });

  describe("ML-Dash Python 0.6.27's own bugs, pinned (a port must not copy them; the server cannot fix them)", () => {
    const doc = async (variant: string) => ((await runs[variant]) as ScenarioRun).doc;

    test("the documented log level 'warning' does not exist: no logs.warning(), and level='warning' is a ValueError", async () => {
      const d = await doc("remote");
      expect(failed(d, "logs.warning").type).toBe("AttributeError");
      expect(failed(d, "log.level.warning")).toMatchObject({ type: "ValueError", message: expect.stringContaining("'warning'") });
    });

    test("the documented @exp.run decorator: RUN is not callable", async () => {
      expect(failed(await doc("remote"), "run.decorator_on_run")).toMatchObject({ type: "TypeError", message: "'RUN' object is not callable" });
    });

    test("a NaN metric can never be sent (JSON with allow_nan=False): buffered, exp.flush() re-queues the same point forever", async () => {
      for (const variant of ["remote", "hybrid"]) {
        const state = ok<{ requeued: number; returned: boolean }>(await doc(variant), "metrics.nan.flush_never_returns");
        expect(state.returned).toBe(false);
        expect(state.requeued).toBeGreaterThanOrEqual(3);
      }
      // unbuffered, log() itself raises
      expect(failed(await doc("unbuffered"), "metrics.nan.flush_never_returns")).toMatchObject({ type: "NetworkError", cause: "ValueError" });
    });

    test("remote file listings are GraphQL nodes (name, pPath): glob and folder filters, and downloads or deletes by glob, find nothing", async () => {
      const d = await doc("remote");
      expect(ok(d, "files.list.glob")).toEqual([]);
      expect(ok(d, "files.list.glob.root")).toEqual([]);
      expect(paths(ok(d, "files.list.dir"))).toEqual(FILES); // files("models").list(): every file
      expect(failed(d, "files.download.glob").message).toBe("No files found matching pattern: *.json");
      expect(failed(d, "files.delete.glob").message).toBe("No files found matching pattern: *.json");
    });

    test("a buffered upload of the user's own file under the temp folder deletes that file and its folder", async () => {
      for (const variant of ["remote", "hybrid"]) {
        const d = await doc(variant);
        expect([ok(d, "files.upload.from_tmp.file_still_there"), ok(d, "files.upload.from_tmp.folder_still_there")]).toEqual([false, false]);
      }
      const direct = await doc("unbuffered");
      expect([ok(direct, "files.upload.from_tmp.file_still_there"), ok(direct, "files.upload.from_tmp.folder_still_there")]).toEqual([true, true]);
    });

    test("hybrid: update and delete by id change the server, then fail on the local copy (whose ids differ)", async () => {
      const d = await doc("hybrid");
      expect(failed(d, "files.update")).toMatchObject({ type: "FileNotFoundError", message: `File ${ok(d, "files.model_id")} not found` });
      expect(failed(d, "files.delete.by_id").type).toBe("FileNotFoundError");
      const model = ok<{ pPath: string; description: string }[]>(d, "files.list.after_update").find((f) => f.pPath === "/models/model.bin");
      expect(model?.description).toBe("best model"); // the server took the update
    });

    test("hybrid: reading the unnamed metric from the local copy is a TypeError", async () => {
      expect(failed(await doc("hybrid"), "metrics.read.unnamed")).toMatchObject({ type: "TypeError", message: expect.stringContaining("NoneType") });
    });
  });

  describe("ml-dash serve answers what the SDK sends", () => {
    test("POST /graphql is answered by ml-dash serve itself", () => {
      expect(bench.graphqlServed).toBe(true);
    });

  });

  describe.each(["remote", "hybrid", "unbuffered"])("tracks read as Parquet and MCAP (%s; hybrid reads tracks from the server too), each read back by a reader of its own", (variant) => {
    const pose = variant === "unbuffered" ? POSE_UNMERGED : POSE;
    const doc = async () => ((await runs[variant]) as ScenarioRun).doc;

    test("format=parquet: pyarrow reads one row per entry, every column (null where an entry has none), lists as list<double>", async () => {
      const d = await doc();
      expect(Buffer.from(ok<{ head: string }>(d, "tracks.read.parquet").head, "base64").subarray(0, 4).toString("latin1")).toBe("PAR1");
      const { rows, types } = ok<{ rows: Record<string, unknown>[]; types: Record<string, string> }>(d, "tracks.read.parquet.rows");
      const cols = [...new Set(pose.flatMap((e) => Object.keys(e)))];
      expect(rows).toEqual(pose.map((e) => Object.fromEntries(cols.map((k) => [k, e[k] ?? null]))));
      expect(types).toMatchObject({ timestamp: "double", x: "double", q: "list<element: double>", label: "string", "arm.ok": "bool" });
      const inRange = pose.filter((e) => e.timestamp >= 2 && e.timestamp <= 3);
      const rangeCols = [...new Set(inRange.flatMap((e) => Object.keys(e)).filter((k) => k === "timestamp" || k === "x"))];
      expect(ok(d, "tracks.read.parquet.range").rows).toEqual(inRange.map((e) => Object.fromEntries(rangeCols.map((k) => [k, e[k] ?? null]))));
    });

    test("format=mcap: one JSON channel for the topic, one message per entry at its timestamp in ns", async () => {
      const d = await doc();
      const mcap = readMcap(Buffer.from(ok<string>(d, "tracks.read.mcap.bytes"), "base64"));
      expect(mcap.channels).toEqual([{ id: expect.any(Number), schemaId: mcap.schemas[0]?.id, topic: "robot/pose", messageEncoding: "json" }]);
      expect(mcap.schemas[0]).toMatchObject({ encoding: "jsonschema" });
      expect(mcap.messages.map((m) => JSON.parse(m.data))).toEqual(pose);
      expect(mcap.messages.map((m) => m.logTime)).toEqual(pose.map((e) => BigInt(e.timestamp * 1e9)));
    });
  });
});
