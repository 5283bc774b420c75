/**
 * The REST calls of ML-Dash Python's RemoteClient and CLI beyond the SDK's write path, against
 * our server over loopback: metric chunks of 10,000 points and `bufferOnly`, a track created
 * empty and one entry appended, track listings by pattern, tracks as Parquet and MCAP (the MCAP
 * read back by a reader written from the specification; pyarrow reads the Parquet in the Python
 * suites), logs by timestamp, project deletion, and the not-found answer under /api.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parquetReadObjects } from "hyparquet";
import { readMcap } from "../../support/mcap-read.ts";
import { startServer, type TestServer } from "../../support/server.ts";

let server: TestServer;
let id: string;

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}/api/${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? null : JSON.stringify(body) });
}
async function json(method: string, path: string, body?: unknown): Promise<any> {
  const res = await call(method, path, body);
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return res.json();
}

beforeAll(async () => {
  server = await startServer();
  id = (await json("POST", "namespaces/alice/nodes", { type: "EXPERIMENT", name: "run", projectSlug: "proj" })).experiment.id;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe("metric chunks", () => {
  test("25,000 points: two full chunks of 10,000, the last 5,000 buffered (bufferOnly)", async () => {
    for (let start = 0; start < 25_000; start += 5_000) {
      const dataPoints = Array.from({ length: 5_000 }, (_, i) => ({ v: start + i, _ts: start + i }));
      await json("POST", `experiments/${id}/metrics/big/append-batch`, { dataPoints });
    }
    expect(await json("GET", `experiments/${id}/metrics/big/stats`)).toMatchObject({ totalDataPoints: "25000", totalChunks: 2, chunkSize: 10_000, chunkedDataPoints: "20000", bufferedDataPoints: "5000" });
    const chunk = await json("GET", `experiments/${id}/metrics/big/chunks/1`);
    expect(chunk).toMatchObject({ chunkNumber: 1, startIndex: 10_000, endIndex: 19_999, dataCount: 10_000 });
    expect(chunk.data[0]).toMatchObject({ index: 10_000, data: { v: 10_000 } });
    const buffered = await json("GET", `experiments/${id}/metrics/big/data?bufferOnly=true&limit=10000`);
    expect(buffered.data.map((p: { index: number }) => Number(p.index))).toEqual(Array.from({ length: 5_000 }, (_, i) => 20_000 + i));
    const missing = await call("GET", `experiments/${id}/metrics/big/chunks/2`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatch(/2 full chunks of 10000 points/);
    expect((await call("GET", `experiments/${id}/metrics/big/chunks/x`)).status).toBe(400);
  }, 60_000);
});

describe("tracks", () => {
  const topic = encodeURIComponent("arm/joints");

  test("created empty with its description, then one entry appended (nested data flattened), listed by pattern", async () => {
    const made = await json("POST", `experiments/${id}/tracks`, { topic: "arm/joints", description: "angles", tags: ["arm"], metadata: { fps: 30 } });
    expect(made).toMatchObject({ topic: "arm/joints", description: "angles", tags: ["arm"], metadata: { fps: 30 } });
    expect(await json("POST", `experiments/${id}/tracks/${topic}/append`, { timestamp: 1.5, data: { q: [1, 2], hand: { open: true } } })).toMatchObject({ timestamp: 1.5, data: { q: [1, 2], "hand.open": true } });
    await json("POST", `experiments/${id}/tracks/${topic}/append_batch`, { entries: [{ timestamp: 2.5, q: [3, 4], label: "b" }] });
    await json("POST", `experiments/${id}/tracks/other/append_batch`, { entries: [{ timestamp: 1, v: 1 }] });
    const listed = await json("GET", `experiments/${id}/tracks?topic=${encodeURIComponent("arm/*")}`);
    expect(listed.tracks.map((t: { topic: string }) => t.topic)).toEqual(["arm/joints"]);
    expect((await json("GET", `experiments/${id}/tracks?topic=other`)).tracks.map((t: { topic: string }) => t.topic)).toEqual(["other"]);
  });

  test("format=parquet: one row per entry, nulls where an entry has no value", async () => {
    const res = await call("GET", `experiments/${id}/tracks/${topic}/data?format=parquet`);
    expect(res.headers.get("content-type")).toBe("application/vnd.apache.parquet");
    const bytes = new Uint8Array(await res.arrayBuffer());
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
    expect(rows).toEqual([
      { timestamp: 1.5, q: [1, 2], "hand.open": true, label: null },
      { timestamp: 2.5, q: [3, 4], "hand.open": null, label: "b" },
    ]);
    const empty = await call("GET", `experiments/${id}/tracks/none/data?format=parquet`);
    expect(new TextDecoder().decode(new Uint8Array(await empty.arrayBuffer()).subarray(0, 4))).toBe("PAR1");
  });

  test("format=mcap: a JSON channel named by the topic, one message per entry at its time in ns", async () => {
    const res = await call("GET", `experiments/${id}/tracks/${topic}/data?format=mcap&start_timestamp=2`);
    expect(res.headers.get("content-type")).toBe("application/x-mcap");
    const mcap = readMcap(new Uint8Array(await res.arrayBuffer()));
    expect(mcap.header.library).toBe("ml-dash");
    expect(mcap.channels).toMatchObject([{ topic: "arm/joints", messageEncoding: "json" }]);
    expect(mcap.messages.map((m) => [m.logTime, JSON.parse(m.data)])).toEqual([[2_500_000_000n, { timestamp: 2.5, q: [3, 4], label: "b" }]]);
    expect((await call("GET", `experiments/${id}/tracks/${topic}/data?format=csv`)).status).toBe(400);
  });
});

describe("logs, projects, unknown routes", () => {
  test("orderBy=timestamp sorts by time (a later sequence number may carry an earlier time); orderBy is checked", async () => {
    await json("POST", `experiments/${id}/logs`, {
      logs: [
        { timestamp: "2026-01-01T00:00:02.000000Z", level: "info", message: "second" },
        { timestamp: "2026-01-01T00:00:01.000000Z", level: "info", message: "first" },
        { timestamp: "2026-01-01T00:00:03Z", level: "warn", message: "third" },
      ],
    });
    const byTime = await json("GET", `experiments/${id}/logs?orderBy=timestamp&order=asc`);
    expect(byTime.logs.map((l: { message: string }) => l.message)).toEqual(["first", "second", "third"]);
    const newest = await json("GET", `experiments/${id}/logs?orderBy=timestamp&order=desc&limit=1&offset=0`);
    expect(newest).toMatchObject({ logs: [{ message: "third" }], total: 3, hasMore: true });
    const bySeq = await json("GET", `experiments/${id}/logs?orderBy=sequenceNumber&order=asc`);
    expect(bySeq.logs.map((l: { message: string }) => l.message)).toEqual(["second", "first", "third"]);
    expect((await call("GET", `experiments/${id}/logs?orderBy=level`)).status).toBe(400);
  });

  test("DELETE projects/{id} removes the project, its folders and experiments; a second delete is a 404", async () => {
    const made = await json("POST", "namespaces/alice/nodes", { type: "EXPERIMENT", name: "gone", projectSlug: "doomed", prefix: "alice/doomed/f/gone" });
    await json("POST", `experiments/${made.experiment.id}/parameters`, { data: { a: 1 } });
    expect(await json("DELETE", `projects/${made.project.id}`)).toMatchObject({ projectId: made.project.id, deleted: 3, experiments: 1 });
    expect((await call("GET", `experiments/${made.experiment.id}`)).status).toBe(404);
    expect((await json("GET", "experiments")).experiments.map((e: { prefix: string }) => e.prefix)).not.toContain("alice/doomed/f/gone");
    expect(await server.storage.list("alice/doomed")).toEqual([]);
    expect((await call("DELETE", `projects/${made.project.id}`)).status).toBe(404);
    // the same prefix starts afresh
    const again = await json("POST", "namespaces/alice/nodes", { type: "EXPERIMENT", name: "gone", projectSlug: "doomed", prefix: "alice/doomed/f/gone" });
    expect((await call("GET", `experiments/${again.experiment.id}/parameters`)).status).toBe(404);
  });

  test("an unknown route under /api says so", async () => {
    const res = await call("GET", "no/such/route");
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe("No route GET /api/no/such/route in the ML-Dash API");
    const outside = await fetch(`${server.url}/elsewhere`);
    expect((await outside.json()).error).toMatch(/under \/api/);
  });
});
