/**
 * Issue 16's acceptance "the dashboard and the Python client work against a node": one
 * `ml-dash serve --store postgres://… --blobs s3://…` on a real PostgreSQL and an s3rver; the
 * vendored ML-Dash Python client runs its whole-API scenario (test/python/sdk_full.py, remote-only
 * and buffered) against it, checked by the same assertions as against the `.dash` server
 * (test/support/python-sdk-checks.ts); then the dashboard's data API (`/dash/api/…`, what the
 * UI fetches) answers for that run from the team store.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { openPg } from "../../../src/server/stores/team/pg.ts";
import { bundleCli } from "../../support/child.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { PYTHON_SUITE_TIMEOUT_MS, pythonSkipReason } from "../../support/python.ts";
import { ok, startPythonBench, type PythonBench, type ScenarioRun } from "../../support/python-scenarios.ts";
import { LOGS, paths, POSE, sdkRunChecks, TRAIN } from "../../support/python-sdk-checks.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import type { FileRow, RunDetail } from "../../../src/dashboard/ui/api.ts";
import { startTeamNode, type TeamNode } from "./team-node.ts";

const skip = pythonSkipReason();
const NS = "alice";
const PREFIX = `${NS}/py-team/run`;
const BUCKET = "team-python";
let pg: TestPostgres | undefined;
let s3: TestS3 | undefined;
let bench: PythonBench<TeamNode> | undefined;
let run: Promise<ScenarioRun> = new Promise(() => undefined);
let big: Promise<ScenarioRun> = new Promise(() => undefined);
let store = "";
/** Points of the big metric: two sealed chunks of 10,000 (the node's chunk size, ML-Dash's) and 5,000 pending. */
const BIG = 25_000;
const BIG_PREFIX = `${NS}/py-team/big`;
const bigV = (i: number): number => (i * 7919) % 1000;

beforeAll(async () => {
  if (skip) return;
  let cli: string;
  [pg, s3, cli] = await Promise.all([startPostgres(), startS3rver({ buckets: [BUCKET] }), bundleCli()]);
  store = await pg.createDatabase();
  const blobs = `s3://${BUCKET}/${randomUUID()}`;
  const s3rver = s3;
  bench = await startPythonBench({ namespace: NS, server: ({ token, user }: { token: string; user: string }) => startTeamNode(cli, s3rver, { store, blobs, token, user }) });
  // As in python-sdk.test.ts: the buffer flushes only when the scenario asks.
  run = bench.scenario("sdk_full.py", ["remote", "URL", PREFIX], { ML_DASH_FLUSH_INTERVAL: "1000000" });
  big = bench.scenario("big_metric.py", ["URL", BIG_PREFIX, String(BIG)]);
  await Promise.allSettled([run, big]);
}, PYTHON_SUITE_TIMEOUT_MS);

afterAll(async () => {
  await bench?.stop();
  await Promise.all([pg?.stop(), s3?.stop()]);
});

describe.skipIf(skip)(`ML-Dash Python's SDK against a team node (PostgreSQL + S3)${skip ? ` (skipped: ${skip})` : ""}`, () => {
  describe("remote-only, buffered, prefix alice/py-team/run", () => {
    sdkRunChecks("remote", () => run);
  });

  describe("the dashboard's data API answers for the run from the team store", () => {
    const dash = async (path: string): Promise<Response> => {
      const b = bench as PythonBench<TeamNode>;
      return fetch(`${b.serve.url}/dash/api/${path}`, { headers: { authorization: `Bearer ${b.token}` } });
    };
    const json = async <T = Record<string, unknown>>(path: string): Promise<T> => {
      const res = await dash(path);
      expect(res.status, `${path}: ${res.status}`).toBe(200);
      return (await res.json()) as T;
    };
    const q = `path=${encodeURIComponent(PREFIX)}`;

    test("runs and run: the run is listed; its record, status, params, metrics and tracks", async () => {
      await run;
      const runs = await json<{ path: string }[] | { runs: { path: string }[] }>("runs");
      const list = Array.isArray(runs) ? runs : runs.runs;
      expect(list.map((r) => r.path)).toContain(PREFIX);
      const one = await json<RunDetail>(`run?${q}`);
      expect(one.experiment).toMatchObject({ prefix: PREFIX, name: "run", status: "COMPLETED", description: "python scenario", tags: ["py", "full"], metadata: { suite: "sdk_full", n: 1 } });
      expect(one.params).toEqual({ lr: 0.001, "model.layers": 34, "model.act": "relu", name: "resnet", batch_size: 32, "Args.epochs": 3, "Args.seed": 7, resumed: true });
      const train = one.metrics.find((m) => m.name === "train");
      expect(train).toMatchObject({ points: 6, last: { loss: 0.05, step: 4, _ts: 1004 } });
      expect(one.metrics.map((m) => m.name ?? "None").sort()).toEqual(["None", "cache", "eval", "train", "train_buf", "val_buf"]);
      expect(one.tracks.find((t) => t.topic === "robot/pose")).toMatchObject({ totalEntries: POSE.length + 1, firstTimestamp: 1, lastTimestamp: 5 });
    });

    test("series: the metric train's loss against step, every point", async () => {
      const { doc } = await run;
      // After the resume the run holds one more point (loss 0.05 at step 4).
      const train = [...TRAIN.slice(0, 4), { loss: 0.05, step: 4 }];
      expect(ok(doc, "resume.metrics.read").data.length).toBe(6);
      const series = await json(`series?${q}&metric=train&y=loss&x=step`);
      expect(series).toMatchObject({ downsampled: false, exact: true, x: train.map((p) => p.step), y: train.map((p) => p.loss) });
    });

    test("logs: every line in order, with level and metadata, then the resumed one", async () => {
      await run;
      const logs = await json<{ logs: { message: string; level: string; metadata?: unknown }[] }>(`logs?${q}`);
      const want = [...LOGS.map(([level, message, metadata]) => [message, level, metadata ?? null]), ["resumed", "info", null]];
      expect(logs.logs.map((l) => [l.message, l.level, l.metadata ?? null])).toEqual(want);
    });

    test("track: robot/pose's entries, the resumed one last", async () => {
      await run;
      const track = await json(`track?${q}&topic=${encodeURIComponent("robot/pose")}`);
      expect(track["entries"]).toEqual([...POSE, { timestamp: 5, x: 5 }]);
    });

    test("files: listed with their folders, and a file's bytes served from S3", async () => {
      const { doc } = await run;
      const { files } = await json<{ files: FileRow[] }>(`files?${q}`);
      // What the run holds at its end, as the Python client lists it.
      expect(files.map((f) => `/${f.relPath}`).sort()).toEqual(paths(ok(doc, "resume.files.list")));
      const readme = files.find((f) => f.dir === "/notes" && f.filename === "readme.txt") as FileRow;
      expect(readme).toMatchObject({ relPath: "notes/readme.txt", sizeBytes: 12, contentType: "text/plain" });
      const res = await dash(readme.url.replace(/^\/dash\/api\//, ""));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("hello\nworld\n");
    });

    test("a metric Python logged past two chunks: Python reads across the sealed/pending boundaries; the dashboard draws it from the chunks' summaries and zooms to exact points", async () => {
      const { doc } = await big;
      expect(ok(doc, "metrics.log")).toBe(BIG);
      for (const [step, from] of [["metrics.read.first_boundary", 9995], ["metrics.read.second_boundary", 19995]] as const) {
        const read = ok<{ data: { index: string | number; data: { step: number; v: number } }[] }>(doc, step);
        expect(read.data.map((p) => [Number(p.index), p.data.step, p.data.v])).toEqual(Array.from({ length: 10 }, (_, k) => [from + k, from + k, bigV(from + k)]));
      }
      expect(ok(doc, "metrics.stats")).toMatchObject({ name: "big", totalDataPoints: String(BIG) });
      // The node seals after answering: wait until both full chunks are in S3.
      const pgc = openPg({ url: store, max: 1 });
      try {
        await vi.waitFor(async () => {
          const rows = await pgc.run("t", (sql) => sql<{ n: string }[]>`select count(*)::text as n from chunks c join series s on s.id = c.series_id where s.name = 'big'`);
          expect(rows[0]?.n).toBe("2");
        }, { timeout: 120_000, interval: 200 });
      } finally {
        await pgc.close();
      }
      const bq = `path=${encodeURIComponent(BIG_PREFIX)}&metric=big&y=v&x=step`;
      const whole = await json<{ total: number; downsampled: boolean; x: number[]; y: (number | null)[] }>(`series?${bq}&bins=100`);
      expect(whole).toMatchObject({ total: BIG, downsampled: true });
      expect(whole.x.length).toBeLessThan(BIG / 10);
      expect(Math.min(...(whole.y as number[]))).toBe(0);
      expect(Math.max(...(whole.y as number[]))).toBe(999);
      // Zoomed across the first chunk boundary: every point, exact.
      const zoom = await json<{ downsampled: boolean; x: number[]; y: number[] }>(`series?${bq}&bins=1000&xmin=9990&xmax=10009`);
      expect(zoom.downsampled).toBe(false);
      const steps = zoom.x.filter((x) => x >= 9990 && x <= 10009);
      expect(steps).toEqual(Array.from({ length: 20 }, (_, k) => 9990 + k));
      for (let k = 0; k < zoom.x.length; k++) expect(zoom.y[k]).toBe(bigV(zoom.x[k] as number));
    });
  });
});
