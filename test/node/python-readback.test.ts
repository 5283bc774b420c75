/**
 * Issue 15: a run logged by ML-Dash Python to `ml-dash serve` (remote-only) reads back
 * identically three ways — with this SDK over the server (a remote read), through the
 * dashboard's data API over the server's root, and with ML-Dash Python itself in local mode
 * over the server's root folder — compared with what Python logged (every digit, and Python's
 * int/float kind where the reader keeps it).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Experiment } from "../../src/index.ts";
import { createDashboardApp } from "../../src/dashboard/index.ts";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { pythonSkipReason, runPython } from "../support/python.ts";
import { startPythonBench, type PythonBench } from "../support/python-scenarios.ts";

const skip = pythonSkipReason();
const NS = "alice";
const PREFIX = `${NS}/readback/f1/run`;
let bench: PythonBench;
/** What Python logged, typed (`{"int": digits}`, `{"float": repr}`). */
let logged: { params: Record<string, unknown>; train: Record<string, unknown>[]; pose: Record<string, unknown>[]; logs: [string, string, Record<string, unknown> | null][] };

type Typed = unknown;

/** A typed Python value as this SDK reads it: ints past 2^53 as bigint, floats and other ints as numbers. */
function js(v: Typed): unknown {
  if (Array.isArray(v)) return v.map(js);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("int" in o && Object.keys(o).length === 1) {
      const n = BigInt(o["int"] as string);
      return n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER) ? n : Number(n);
    }
    if ("float" in o && Object.keys(o).length === 1) return Number(o["float"]);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, js(x)]));
  }
  return v;
}

/** Nested params flattened with dots, as both SDKs store them. */
function flat(o: Record<string, unknown>, at = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    const key = at ? `${at}.${k}` : k;
    const typedLeaf = v !== null && typeof v === "object" && !Array.isArray(v) && (("int" in v || "float" in v) && Object.keys(v).length === 1);
    if (v !== null && typeof v === "object" && !Array.isArray(v) && !typedLeaf) flat(v as Record<string, unknown>, key, out);
    else out[key] = v;
  }
  return out;
}


beforeAll(async () => {
  if (skip) return;
  bench = await startPythonBench({ namespace: NS });
  const run = await runPython(bench.py, "readback.py", ["log", bench.serve.url, PREFIX], { token: bench.token });
  if (!run.json) throw new Error(`readback.py log printed no result (exit ${run.code}):\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
  logged = run.json as typeof logged;
}, 600_000);

afterAll(async () => {
  await bench?.stop();
});

describe.skipIf(skip)(`a run Python logged to our server reads back identically${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("with this SDK, remote-only: params (a bigint past 2^53), every metric point, the log lines, the track", async () => {
    const exp = new Experiment(PREFIX, { dashUrl: bench.serve.url, token: bench.token, storage: null, echo: false });
    await exp.run.start();
    try {
      expect(exp.params.get()).toEqual(js(flat(logged.params)));
      const train = await exp.metrics("train").read({ startIndex: 0, limit: 1000 });
      expect(train.data.map((p) => p.data)).toEqual(js(logged.train));
      expect(train.data.map((p) => Number(p.index))).toEqual(logged.train.map((_, i) => i));
      const unnamed = await exp.metrics(null).read({ startIndex: 0, limit: 10 });
      expect(unnamed.data.map((p) => p.data)).toEqual([{ epoch: 1, _ts: 2000 }]);
      const logs = await exp.logs.read({ limit: 100 });
      expect(logs.map((l) => [l.message, l.level, l.metadata ?? null])).toEqual(logged.logs);
      const pose = await exp.tracks("robot/pose").read();
      expect(pose.entries).toEqual(js(logged.pose.map(({ _ts, ...rest }) => ({ timestamp: _ts, ...(rest as object) }))));
    } finally {
      await exp.run.complete();
    }
  }, 120_000);

  test("through the dashboard's data API over the server's root: the run's params, series, logs and track", async () => {
    const app = createDashboardApp({ storage: nodeFsAdapter({ root: bench.serve.root }), prewarm: false });
    const get = async (path: string): Promise<{ text: string; body: Record<string, unknown> }> => {
      const res = await app.request(`/dash/api/${path}`);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      return { text, body: JSON.parse(text) as Record<string, unknown> };
    };
    const q = `path=${encodeURIComponent(PREFIX)}`;
    const run = await get(`run?${q}`);
    const params = run.body["params"] as Record<string, unknown>;
    const want = js(flat(logged.params)) as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) {
      if (typeof v === "bigint") expect(run.text).toContain(`"${k}":${v}`); // JSON text keeps every digit
      else expect(params[k], k).toEqual(v);
    }
    const train = js(logged.train) as { loss: number; step: number }[];
    const series = await get(`series?${q}&metric=train&y=loss&x=step`);
    expect(series.body).toMatchObject({ total: train.length, downsampled: false, exact: true, x: train.map((p) => p.step), y: train.map((p) => p.loss) });
    const logs = await get(`logs?${q}`);
    expect((logs.body["logs"] as { message: string; level: string; metadata?: unknown }[]).map((l) => [l.message, l.level, l.metadata ?? null])).toEqual(logged.logs);
    const track = await get(`track?${q}&topic=${encodeURIComponent("robot/pose")}`);
    expect(track.body["entries"]).toEqual(js(logged.pose.map(({ _ts, ...rest }) => ({ timestamp: _ts, ...(rest as object) }))));
  }, 120_000);

  test("with ML-Dash Python in local mode over the server's root: the same values, Python's int/float kinds kept", async () => {
    const run = await runPython(bench.py, "readback.py", ["read", bench.serve.root, PREFIX], { token: bench.token });
    if (!run.json) throw new Error(`readback.py read printed no result (exit ${run.code}):\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    const doc = run.json as { params: Record<string, unknown>; train: { data: { index: unknown; data: unknown }[] }; pose: unknown };
    // Typed on both sides: `one` is still the float 1.0, `big` every digit of an int.
    expect(doc.params).toEqual(flat(logged.params));
    expect(doc.train.data.map((p) => p.data)).toEqual(logged.train);
    expect(doc.train.data.map((p) => p.index)).toEqual(logged.train.map((_, i) => ({ int: String(i) })));
    const pose = doc.pose as Record<string, unknown> | unknown[];
    const entries = Array.isArray(pose) ? pose : ((pose["entries"] ?? pose["data"]) as unknown[]);
    expect(entries).toEqual(logged.pose.map(({ _ts, ...rest }) => ({ timestamp: _ts, ...(rest as object) })));
  }, 300_000);
});
