/**
 * Many writers on one experiment of the team store (PostgreSQL + S3): the same two processes as
 * test/node/remote/many-writers.test.ts, against `ml-dash serve --store postgres://… --blobs
 * s3://…`. Every point of both lands once (writer_positions, migration 0003).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { bundleCli } from "../../support/child.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import { missing, serverHolds, twoWriters } from "../../support/two-writers.ts";
import { startTeamNode, type TeamNode } from "./team-node.ts";

const N = 100_000;
const BUCKET = "many-writers";
const TOKEN = "team-token-123456";
let pg: TestPostgres;
let s3: TestS3;
let node: TeamNode;

beforeAll(async () => {
  let cli: string;
  [pg, s3, cli] = await Promise.all([startPostgres(), startS3rver({ buckets: [BUCKET] }), bundleCli()]);
  node = await startTeamNode(cli, s3, { store: await pg.createDatabase(), blobs: `s3://${BUCKET}/runs`, token: TOKEN });
}, 300_000);
afterAll(async () => {
  node?.child.kill("SIGTERM");
  await node?.exited;
  await Promise.all([pg?.stop(), s3?.stop()]);
});

for (const mode of ["remote", "hybrid"] as const) {
  test(`two ${mode} processes × ${N.toLocaleString("en")} points on one team-store experiment: every point stored exactly once, no error`, async () => {
    const prefix = `alice/writers/${mode}/run`;
    const results = await twoWriters(node.url, TOKEN, mode, prefix, N);
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("done dropped=0 errors=[]");
    }
    const held = await serverHolds(node.url, TOKEN, prefix);
    expect(missing(held.points, N)).toEqual([]);
    expect(held.points.length).toBe(2 * N);
    expect(held.logs.sort()).toEqual(["bye from A", "bye from B", "hello from A", "hello from B", `logged ${N}`, `logged ${N}`]);
  }, 900_000);
}
