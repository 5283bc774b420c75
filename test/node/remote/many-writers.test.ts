/**
 * Many writers on one server experiment (issue 13 item 9): two processes resuming the same
 * prefix at once used to send batches numbered from the same stream end, and the server took
 * the second one's for replays: 100,000 of 200,000 points stored, both reporting 0 errors. Each
 * client now numbers its batches as its own writer (remote-only: a random id per run; hybrid:
 * the id kept with its local store), and the server puts what is new at the stream's end.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { call, createExperiment } from "../../support/http.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";
import { missing, serverHolds, twoWriters } from "../../support/two-writers.ts";

const N = 100_000;
const TOKEN = "secret";
let srv: TestServer;

beforeAll(async () => {
  srv = await startServer({ token: TOKEN, storage: nodeFsAdapter({ root: tempDir("many-writers") }) });
});
afterAll(async () => {
  await srv?.close();
});

for (const mode of ["remote", "hybrid"] as const) {
  test(`two ${mode} processes × ${N.toLocaleString("en")} points on one experiment: every point stored exactly once, no error`, async () => {
    const prefix = `alice/writers/${mode}/run`;
    const results = await twoWriters(srv.url, TOKEN, mode, prefix, N);
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("done dropped=0 errors=[]");
    }
    const held = await serverHolds(srv.url, TOKEN, prefix);
    expect(missing(held.points, N)).toEqual([]);
    expect(held.points.length).toBe(2 * N);
    expect(held.logs.sort()).toEqual(["bye from A", "bye from B", "hello from A", "hello from B", `logged ${N}`, `logged ${N}`]);
  }, 600_000);
}

test("over HTTP: a retried batch of one writer is a no-op, another writer's batch at the same position is stored, a gap answers the writer's end", async () => {
  const { id } = await createExperiment(srv.url, "alice/writers/http/run", TOKEN);
  const post = (writer: string, first: number, values: number[]) =>
    call<{ count: number; skipped: number; nextIndex: number; startIndex: string }>(srv.url, "POST", `experiments/${id}/metrics/m/append-batch`, {
      token: TOKEN,
      json: { dataPoints: values.map((v) => ({ v })) },
      headers: { "idempotency-key": `${writer}:metric:m:${first}` },
    });
  const a = "writerA-0123456789";
  const b = "writerB-0123456789";
  expect((await post(a, 0, [1, 2])).body).toMatchObject({ count: 2, skipped: 0, nextIndex: 2, startIndex: "0" });
  expect((await post(a, 0, [1, 2])).body).toMatchObject({ count: 0, skipped: 2, nextIndex: 2 }); // its answer was lost: retried
  expect((await post(b, 0, [3, 4])).body).toMatchObject({ count: 2, skipped: 0, nextIndex: 2, startIndex: "2" });
  const gap = await post(a, 5, [9]);
  expect(gap.status).toBe(409);
  expect(gap.body).toMatchObject({ nextIndex: 2 });
  // The experiment's own id as the writer is the one-writer numbering of the SDK before writer ids.
  expect((await post(id, 4, [5])).body).toMatchObject({ count: 1, nextIndex: 5 });
  expect((await post(id, 4, [5])).body).toMatchObject({ count: 0, skipped: 1 });
  const page = await call<{ data: { data: { v: number } }[] }>(srv.url, "GET", `experiments/${id}/metrics/m/data?limit=100`, { token: TOKEN });
  expect(page.body.data.map((p) => p.data.v)).toEqual([1, 2, 3, 4, 5]);
  // A client resuming as a writer is told where its own records end.
  const resumed = await call<{ writerStreams: Record<string, number> }>(srv.url, "POST", "namespaces/alice/nodes", {
    token: TOKEN,
    json: { type: "EXPERIMENT", name: "run", projectSlug: "writers", prefix: "alice/writers/http/run" },
    headers: { "ml-dash-writer": b },
  });
  expect(resumed.body.writerStreams).toEqual({ "metric:m": 2 });
}, 120_000);
