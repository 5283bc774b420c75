/**
 * The server's REST API as any client sees it over loopback: auth, CORS, validation that names
 * the field, refused path traversal, content types, exactly-once appends, and state that
 * survives a restart.
 */
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { parseJsonLines } from "../../../src/layout/py-json-parse.ts";
import { call, createExperiment } from "../../support/http.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

/** Whole runs against a server over loopback: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const PY_RUN = join(import.meta.dirname, "../../fixtures/python-run"); // vendored: a fresh clone has no ../shared

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ token: "secret" });
});
afterAll(async () => srv.close());

const f64 = (xs: number[]): Uint8Array => new Uint8Array(new Float64Array(xs).buffer);

describe("auth and CORS", () => {
  test("401 without a token or with a wrong one; 200 with it", async () => {
    const none = await call(srv.url, "GET", "experiments", { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    expect(String(none.body["error"])).toMatch(/Missing bearer token/);
    const wrong = await call(srv.url, "POST", "namespaces/a/nodes", { token: "nope", json: { type: "PROJECT", name: "p" } });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain("secret");
    expect((await call(srv.url, "GET", "experiments")).status).toBe(200);
  }, IO_TIMEOUT_MS);

  test("a browser preflight passes without a token, and answers carry CORS headers", async () => {
    const pre = await fetch(`${srv.url}/api/experiments/x/metrics/m/append-batch`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type,idempotency-key" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
    const denied = await fetch(`${srv.url}/api/experiments`, { headers: { origin: "http://localhost:5173" } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  }, IO_TIMEOUT_MS);
});

describe("validation", () => {
  test("a malformed body gets 400 with a message naming the field, and nothing is stored", async () => {
    const { id } = await createExperiment(srv.url, "val/p/run");
    const cases: [string, unknown, string][] = [
      [`experiments/${id}/metrics/m/append-batch`, { dataPoints: "x" }, "dataPoints"],
      [`experiments/${id}/metrics/m/append-batch`, { dataPoints: [{ loss: 1, _ts: 1 }, { loss: 2, _ts: "now" }] }, "dataPoints.1._ts"],
      [`experiments/${id}/metrics/m/append-batch`, { startIndex: -1, dataPoints: [] }, "startIndex"],
      [`experiments/${id}/logs`, { logs: [{ message: 1 }] }, "logs.0.message"],
      [`experiments/${id}/logs`, { logs: [{ message: "m", level: "loud" }] }, "logs.0.level"],
      [`experiments/${id}/logs`, { logs: [{ message: "m", timestamp: "yesterday" }] }, "logs.0.timestamp"],
      [`experiments/${id}/tracks/t/append_batch`, { entries: [{ x: 1 }] }, "entries.0.timestamp"],
      [`experiments/${id}/parameters`, { data: [1, 2] }, "data"],
      ["namespaces/val/nodes", { type: "EXPERIMENT", projectSlug: "p" }, "name"],
      ["namespaces/val/nodes", { type: "ROCKET", name: "x" }, "type"],
    ];
    for (const [path, json, field] of cases) {
      const r = await call(srv.url, "POST", path, { json });
      expect(r.status, `${path} ${JSON.stringify(json)}`).toBe(400);
      expect(r.body["field"], JSON.stringify(r.body)).toBe(field);
      expect(String(r.body["error"])).toContain(`"${field}"`);
    }
    const bad = await call(srv.url, "POST", `experiments/${id}/metrics/m/append-batch`, {
      msgpack: { startIndex: 0, blocks: [{ keys: ["loss"], cols: [f64([1, 2])], ts: f64([1, 2, 3]), length: 3 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body["field"]).toBe("blocks.0.cols.0");
    const notJson = await call(srv.url, "POST", `experiments/${id}/logs`, { body: "{oops", contentType: "application/json" });
    expect(notJson.status).toBe(400);
    expect(String(notJson.body["error"])).toMatch(/Invalid JSON body/);
    const stored = await srv.storage.list("val/p/run");
    expect(stored.filter((k) => k.includes("/metrics/") || k.includes("/logs/") || k.includes("/tracks/"))).toEqual([]);
  }, IO_TIMEOUT_MS);

  test("names that would escape their folder are refused with 400, and nothing lands outside", async () => {
    const { id } = await createExperiment(srv.url, "trav/p/run");
    const before = await srv.storage.list("");
    const nodes: [unknown, string][] = [
      [{ type: "EXPERIMENT", name: "..", projectSlug: "p" }, "name"],
      [{ type: "EXPERIMENT", name: "../../etc", projectSlug: "p" }, "name"],
      [{ type: "EXPERIMENT", name: "x", projectSlug: ".." }, "projectSlug"],
      [{ type: "EXPERIMENT", name: "x", projectSlug: "p", prefix: "trav/p/../../x" }, "prefix"],
      [{ type: "EXPERIMENT", name: "x", projectSlug: "p", prefix: "other/p/x" }, "prefix"],
      [{ type: "PROJECT", name: "a/b" }, "name"],
      [{ type: "PROJECT", name: "ok", slug: "..\\x" }, "slug"],
    ];
    for (const [json, field] of nodes) {
      const r = await call(srv.url, "POST", "namespaces/trav/nodes", { json });
      expect(r.status, JSON.stringify(json)).toBe(400);
      expect(r.body["field"]).toBe(field);
    }
    const urls: [string, string][] = [
      [`experiments/${id}/metrics/a%2F..%2F..%2Fx/append-batch`, "name"],
      [`experiments/${id}/metrics/a%5Cb/append-batch`, "name"],
      [`experiments/${id}/tracks/a%00b/append_batch`, "topic"],
      ["namespaces/a%5Cb/nodes", "namespace"],
    ];
    for (const [path, field] of urls) {
      const r = await call(srv.url, "POST", path, { json: { dataPoints: [{ v: 1 }], entries: [{ timestamp: 1 }], type: "PROJECT", name: "z" } });
      expect(r.status, path).toBe(400);
      expect(r.body["field"]).toBe(field);
    }
    expect(await srv.storage.list("")).toEqual(before);
  }, IO_TIMEOUT_MS);

  test("415 for a content type it does not read; msgpack refused by a JSON-only server", async () => {
    const { id } = await createExperiment(srv.url, "ct/p/run");
    const csv = await call(srv.url, "POST", `experiments/${id}/metrics/m/append-batch`, { body: "a,b\n1,2", contentType: "text/csv" });
    expect(csv.status).toBe(415);
    const jsonOnly = await startServer({ msgpack: false });
    try {
      const e = await createExperiment(jsonOnly.url, "ct/p/run", "any");
      const r = await call(jsonOnly.url, "POST", `experiments/${e.id}/metrics/m/append-batch`, { token: "any", msgpack: { dataPoints: [{ v: 1 }] } });
      expect(r.status).toBe(415);
      const ok = await call(jsonOnly.url, "POST", `experiments/${e.id}/metrics/m/append-batch`, { token: "any", json: { dataPoints: [{ v: 1 }] } });
      expect(ok.status).toBe(200);
    } finally {
      await jsonOnly.close();
    }
  }, IO_TIMEOUT_MS);
});

describe("exactly once", () => {
  test("a batch carries its position: a replay is skipped, an overlap trimmed, a gap answered 409 with nextIndex", async () => {
    const { id } = await createExperiment(srv.url, "once/p/run");
    const path = `experiments/${id}/metrics/loss/append-batch`;
    const pts = (from: number, n: number): { v: number; _ts: number }[] => Array.from({ length: n }, (_, i) => ({ v: from + i, _ts: from + i }));
    const a = await call(srv.url, "POST", path, { json: { startIndex: 0, dataPoints: pts(0, 3) } });
    expect(a.body).toMatchObject({ startIndex: "0", endIndex: "2", count: 3, nextIndex: 3, skipped: 0 });
    const replay = await call(srv.url, "POST", path, { json: { startIndex: 0, dataPoints: pts(0, 3) } });
    expect(replay.body).toMatchObject({ count: 0, skipped: 3, nextIndex: 3 });
    const overlap = await call(srv.url, "POST", path, { json: { startIndex: 2, dataPoints: pts(2, 3) } });
    expect(overlap.body).toMatchObject({ startIndex: "3", count: 2, skipped: 1, nextIndex: 5 });
    const gap = await call(srv.url, "POST", path, { json: { startIndex: 9, dataPoints: pts(9, 1) } });
    expect(gap.status).toBe(409);
    expect(gap.body["nextIndex"]).toBe(5);
    // The position may also come from the Idempotency-Key header alone (columnar msgpack here).
    const cols = { blocks: [{ keys: ["v"], cols: [f64([5, 6])], ts: f64([5, 6]), length: 2 }] };
    for (let i = 0; i < 2; i++) {
      const r = await call(srv.url, "POST", path, { msgpack: cols, headers: { "idempotency-key": `${id}:metric:loss:5` } });
      expect(r.status).toBe(200);
    }
    const page = await call<{ data: { index: number; data: { v: number } }[] }>(srv.url, "GET", `experiments/${id}/metrics/loss/data?limit=100`);
    expect(page.body.data.map((p) => [p.index, p.data.v])).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => [i, i]));
  }, IO_TIMEOUT_MS);

  test("batches without a position (the Python client) are appended as ML-Dash does", async () => {
    const { id } = await createExperiment(srv.url, "py/p/run");
    for (let i = 0; i < 2; i++) await call(srv.url, "POST", `experiments/${id}/metrics/None/append-batch`, { json: { dataPoints: [{ epoch: 1, _ts: 1.5 }] } });
    await call(srv.url, "POST", `experiments/${id}/tracks/robot%2Fpose/append_batch`, { json: { entries: [{ timestamp: 2, q: [1, 2] }, { timestamp: 1, pos: { x: 1 } }] } });
    await call(srv.url, "POST", `experiments/${id}/logs`, { json: { logs: [{ timestamp: "2026-11-26T06:18:46.069123Z", level: "warning", message: "hi", metadata: { k: 1 } }] } });
    const read = async (key: string): Promise<Record<string, unknown>[]> => parseJsonLines<Record<string, unknown>>((await srv.storage.read(key)) as Uint8Array).records;
    expect((await read("py/p/run/metrics/None/data.jsonl")).map((r) => r["index"])).toEqual([0, 1]);
    expect(await read("py/p/run/tracks/robot_pose/data.jsonl")).toEqual([{ timestamp: 1, "pos.x": 1 }, { timestamp: 2, q: [1, 2] }]);
    expect(await read("py/p/run/logs/logs.jsonl")).toEqual([{ sequenceNumber: 0, timestamp: "2026-11-26T06:18:46.069123Z", level: "warn", message: "hi", metadata: { k: 1 } }]);
    const meta = JSON.parse(new TextDecoder().decode((await srv.storage.read("py/p/run/tracks/robot_pose/metadata.json")) as Uint8Array));
    expect(meta).toMatchObject({ topic: "robot/pose", totalEntries: 2, firstTimestamp: 1, lastTimestamp: 2 });
  }, IO_TIMEOUT_MS);

  test("reads in msgpack keep NaN and ±Infinity; JSON reads turn them into null", async () => {
    const { id } = await createExperiment(srv.url, "nan/p/run");
    // httpx < 0.28 sent bare NaN tokens; the server reads them.
    await call(srv.url, "POST", `experiments/${id}/metrics/m/append-batch`, { body: '{"dataPoints": [{"a": NaN, "b": Infinity, "c": -Infinity, "_ts": 1}]}', contentType: "application/json" });
    const mp = await call<{ data: { data: Record<string, number> }[] }>(srv.url, "GET", `experiments/${id}/metrics/m/data`, { accept: "application/msgpack" });
    expect(mp.body.data[0]?.data).toEqual({ a: NaN, b: Infinity, c: -Infinity, _ts: 1 });
    const js = await call<{ data: { data: Record<string, number> }[] }>(srv.url, "GET", `experiments/${id}/metrics/m/data`);
    expect(js.body.data[0]?.data).toEqual({ a: null, b: null, c: null, _ts: 1 });
  }, IO_TIMEOUT_MS);
});

describe("the tree is the state", () => {
  test("ids survive a restart; experiment.json keeps the id; creating again is an upsert", async () => {
    const root = tempDir("srv-restart");
    const a = await startServer({ storage: nodeFsAdapter({ root }) });
    let first: Awaited<ReturnType<typeof createExperiment>>;
    try {
      first = await createExperiment(a.url, "alice/proj/f1/f2/run", "x");
      await call(a.url, "POST", `experiments/${first.id}/metrics/m/append-batch`, { token: "x", json: { startIndex: 0, dataPoints: [{ v: 1 }, { v: 2 }] } });
    } finally {
      await a.close();
    }
    expect(JSON.parse(readFileSync(join(root, "alice/proj/f1/f2/run/experiment.json"), "utf8")).id).toBe(first.id);
    const b = await startServer({ storage: nodeFsAdapter({ root }) });
    try {
      const got = await call(b.url, "GET", `experiments/${first.id}`, { token: "x" });
      expect(got.status).toBe(200);
      expect(got.body["streams"]).toEqual({ "metric:m": 2 });
      const again = await createExperiment(b.url, "alice/proj/f1/f2/run", "x");
      expect([again.id, again.nodeId]).toEqual([first.id, first.nodeId]);
      expect(again.body["streams"]).toEqual({ "metric:m": 2 });
      const st = await call(b.url, "PATCH", `nodes/${first.nodeId}`, { token: "x", json: { status: "COMPLETED" } });
      expect(st.body).toMatchObject({ id: first.nodeId, status: "COMPLETED", experimentId: first.id });
      expect(JSON.parse(readFileSync(join(root, "alice/proj/f1/f2/run/experiment.json"), "utf8")).status).toBe("COMPLETED");
      const badStatus = await call(b.url, "PATCH", `nodes/${first.nodeId}`, { token: "x", json: { status: "DONE" } });
      expect([badStatus.status, badStatus.body["field"]]).toEqual([400, "status"]);
    } finally {
      await b.close();
    }
  }, IO_TIMEOUT_MS);

  test("serving a tree Python wrote shows its run and reads it back as Python stored it, without writing", async () => {
    const root = tempDir("srv-py");
    cpSync(PY_RUN, root, { recursive: true });
    const before = readFileSync(join(root, "alice/reference/mlp/python-run/experiment.json"), "utf8");
    const s = await startServer({ storage: nodeFsAdapter({ root }) });
    try {
      const list = await call<{ experiments: { id: string; prefix: string; description: string; tags: string[] }[] }>(s.url, "GET", "experiments?prefix=alice", { token: "t" });
      expect(list.body.experiments.map((e) => e.prefix)).toEqual(["alice/reference/mlp/python-run"]);
      const exp = list.body.experiments[0] as { id: string; description: string; tags: string[] };
      expect([exp.description, exp.tags]).toEqual(["python reference run (a)", ["ref", "a"]]);
      const base = `experiments/${exp.id}`;
      const train = await call<{ data: { index: number }[]; hasMore: boolean }>(s.url, "GET", `${base}/metrics/train/data?startIndex=25&limit=100`, { token: "t" });
      expect(train.body.data.map((p) => p.index)).toEqual([25, 26, 27, 28, 29, 30]);
      const evalPts = await call<{ data: { data: Record<string, number> }[] }>(s.url, "GET", `${base}/metrics/eval/data`, { token: "t", accept: "application/msgpack" });
      expect(Object.values(evalPts.body.data[0]?.data ?? {})).toEqual(expect.arrayContaining([NaN, Infinity, -Infinity]));
      const stats = await call(s.url, "GET", `${base}/metrics/train/stats`, { token: "t" });
      expect(stats.body["totalDataPoints"]).toBe("31");
      const tracks = await call<{ entries: Record<string, unknown>[] }>(s.url, "GET", `${base}/tracks/robot%2Fpose/data?format=json&start_timestamp=11&end_timestamp=13`, { token: "t" });
      expect(tracks.body.entries.map((e) => e["timestamp"])).toEqual([11, 13]);
      const params = await call<{ data: Record<string, unknown>; version: number }>(s.url, "GET", `${base}/parameters`, { token: "t" });
      expect([params.body.version, params.body.data["model.arch"]]).toEqual([2, "mlp"]);
      const logs = await call<{ logs: { level: string }[]; total: number }>(s.url, "GET", `${base}/logs?level=error,warn`, { token: "t" });
      expect(logs.body.logs.map((l) => l.level).sort()).toEqual(["error", "warn"]);
      const listed = await call<{ metrics: { name: string | null }[] }>(s.url, "GET", `${base}/metrics`, { token: "t" });
      expect(listed.body.metrics.map((m) => m.name).sort()).toEqual(["batch", "eval", "train", null].sort());
    } finally {
      await s.close();
    }
    expect(readFileSync(join(root, "alice/reference/mlp/python-run/experiment.json"), "utf8")).toBe(before);
    expect(existsSync(join(root, ".ml-dash"))).toBe(false);
  }, IO_TIMEOUT_MS);

  test("an unknown experiment is 404, an unknown route is 404 with a hint", async () => {
    expect((await call(srv.url, "GET", "experiments/123/metrics")).status).toBe(404);
    const r = await call(srv.url, "GET", "nothing-here");
    expect(r.status).toBe(404);
    expect(String(r.body["error"])).toMatch(/under \/api|No route/);
  }, IO_TIMEOUT_MS);
});
