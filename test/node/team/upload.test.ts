/**
 * Moving in: `ml-dash upload` from a `.dash` root (a run ML-Dash Python wrote and one this SDK
 * wrote, NaN values included) into a team server node; a second upload sends nothing. Read back
 * through the team store itself.
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { Experiment } from "../../../src/index.ts";
import { parseJsonLines } from "../../../src/layout/py-json-parse.ts";
import { openPg } from "../../../src/server/stores/team/pg.ts";
import { teamStore } from "../../../src/server/stores/team/store.ts";
import { bundleCli, REPO, runCli } from "../../support/child.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import { clientFor } from "./s3-helpers.ts";
import { startTeamNode, type TeamNode } from "./team-node.ts";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const PY_RUN = join(REPO, "test/fixtures/python-run");
const BUCKET = "team-upload";
const TOKEN = "upload-token-123456";
let pg: TestPostgres;
let s3: TestS3;
let cli: string;
let node: TeamNode;
let dbUrl: string;
let blobs: string;

beforeAll(async () => {
  [pg, s3, cli] = await Promise.all([startPostgres(), startS3rver({ buckets: [BUCKET] }), bundleCli()]);
  dbUrl = await pg.createDatabase();
  blobs = `s3://${BUCKET}/${randomUUID()}`;
  node = await startTeamNode(cli, s3, { store: dbUrl, blobs, token: TOKEN });
});
afterAll(async () => {
  node?.child.kill("SIGTERM");
  await node?.exited;
  await Promise.all([pg?.stop(), s3?.stop()]);
});

test("ml-dash upload of Python's and this SDK's runs into a team node: every record, NaN kept, sealed past 10,000; a second upload sends nothing", async () => {
  const root = tempDir("team-upload");
  cpSync(PY_RUN, root, { recursive: true });
  const storage = nodeFsAdapter({ root });
  const sdk = new Experiment("bob/cli/run-1", { storage, echo: false });
  await sdk.run(async (e) => {
    e.params.set({ lr: 0.5 });
    for (let i = 0; i < 25_000; i++) e.metrics("train").log({ i, loss: i % 1000 === 0 ? NaN : 1 / (i + 1) });
    e.tracks("t").append({ v: 1, _ts: 1 });
    e.logs.info("sdk");
  });
  const env = { ML_DASH_TOKEN: TOKEN };
  const first = await runCli(cli, ["upload", root, "--dash-url", node.url], { env });
  expect(first.code, first.stderr + first.stdout).toBe(0);
  expect(first.stdout).toMatch(/alice\/reference\/mlp\/python-run: 45 records sent, 0 already there/);
  expect(first.stdout).toMatch(/bob\/cli\/run-1: 25,002 records sent, 0 already there/);
  const again = await runCli(cli, ["upload", root, "--dash-url", node.url], { env });
  expect(again.stdout).toMatch(/python-run: 0 records sent, 45 already there/);
  expect(again.stdout).toMatch(/run-1: 0 records sent, 25,002 already there/);

  const store = teamStore({ pg: openPg({ url: dbUrl, max: 2 }), s3: clientFor(s3, blobs), migrate: false });
  try {
    const py = "alice/reference/mlp/python-run";
    const ref = await store.run(py);
    const local = parseJsonLines<{ data: Record<string, unknown> }>((await storage.read(`${py}/metrics/eval/data.jsonl`)) as Uint8Array).records;
    const page = await store.metricPage(ref!, "eval", 0, 1000);
    expect(page.data.map((r) => r.data)).toEqual(local.map((r) => r.data)); // NaN, ±Infinity kept
    // History: every point's createdAt as written (not the upload's time), firstDataAt the first of them.
    const localEval = parseJsonLines<{ createdAt: string }>((await storage.read(`${py}/metrics/eval/data.jsonl`)) as Uint8Array).records;
    expect(page.data.map((r) => r.createdAt)).toEqual(localEval.map((r) => r.createdAt));
    // (to the millisecond: the store's timestamps come back through JavaScript Dates)
    expect(Date.parse((await store.metricStats(ref!, "eval")).firstDataAt ?? "")).toBe(Date.parse(localEval[0]?.createdAt ?? ""));
    // Files keep when they were stored.
    const localFiles = (JSON.parse(new TextDecoder().decode((await storage.read(`${py}/files/.files_metadata.json`)) as Uint8Array)) as { files: { filename: string; uploadedAt: string }[] }).files;
    const stamp = (t: string): number => Date.parse(t);
    expect((await store.files(ref!)).map((f) => `${f.filename} ${stamp(f.uploadedAt)}`).sort()).toEqual(localFiles.map((f) => `${f.filename} ${stamp(f.uploadedAt)}`).sort());
    const run1 = await store.run("bob/cli/run-1");
    expect((await store.describe(run1!)).status).toBe("COMPLETED");
    expect((await store.params(run1!))?.data).toEqual({ lr: 0.5 });
    const all = await store.metricPage(run1!, "train", 0, 30_000);
    expect(all.data.map((p) => p.index)).toEqual(Array.from({ length: 25_000 }, (_, i) => i));
    expect(all.data.every((p, i) => (i % 1000 === 0 ? Number.isNaN(p.data["loss"]) : p.data["loss"] === 1 / (i + 1)))).toBe(true);
    expect((await store.metricStats(run1!, "train")).chunkedDataPoints).toBe("20000");
  } finally {
    await store.close();
  }
});
