/**
 * `ml-dash serve --store postgres://… --blobs s3://…` from the command line: `--check` says what
 * works and what does not (wrong password, missing bucket, nothing listening) with no secret in
 * any line, and a misused pair of options is a usage error.
 */
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { bundleCli, runCli } from "../../support/child.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import { freePort } from "../../support/ports.ts";
import { startTeamNode } from "./team-node.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const BUCKET = "team-check";
const AWS_SECRET = "wJalrXUtnFEMI-CHECK-SECRET-never-printed";
let pg: TestPostgres;
let s3: TestS3;
let cli: string;

beforeAll(async () => {
  [pg, s3, cli] = await Promise.all([startPostgres(), startS3rver({ buckets: [BUCKET] }), bundleCli()]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

function env(): Record<string, string> {
  return { AWS_ENDPOINT_URL: s3.endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: AWS_SECRET, PGPASSWORD: "" };
}

test("--check on a reachable PostgreSQL and bucket: both ok, exit 0, schema to migrate named", async () => {
  const r = await runCli(cli, ["serve", "--check", "--store", await pg.createDatabase(), "--blobs", `s3://${BUCKET}/team`], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/ok {3}PostgreSQL postgres:\/\/postgres@127\.0\.0\.1:\d+\/\S+ .*schema version 0 of \d+, migrated at start/);
  expect(r.stdout).toContain(`ok   S3 s3://${BUCKET}/team`);
  // The test server trades durability for speed (fsync and synchronous_commit off): said, not failed.
  expect(r.stderr).toMatch(/^warn PostgreSQL: PostgreSQL runs with fsync = off and synchronous_commit = off: writes this server has answered can be lost/m);
  expect(r.stdout + r.stderr).not.toContain(pg.password);
  expect(r.stdout + r.stderr).not.toContain(AWS_SECRET);
});

test("a team server on a PostgreSQL that may lose commits warns at start", async () => {
  const node = await startTeamNode(cli, s3, { store: await pg.createDatabase(), blobs: `s3://${BUCKET}/start`, token: "tok-warn-123456" });
  const r = await node.stop();
  expect(r.stderr).toMatch(/^warning: PostgreSQL runs with fsync = off and synchronous_commit = off/m);
  expect(r.stdout + r.stderr).not.toContain(pg.password);
});

test("--check with a wrong password, a missing bucket, or nothing listening: what to fix, exit 1, no secret", async () => {
  const wrong = "Wrong-Password-never-printed-42";
  const bad = await runCli(cli, ["serve", "--check", "--store", pg.urlFor(pg.database, { password: wrong }), "--blobs", "s3://no-such-bucket-here/x"], { env: env() });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/FAIL PostgreSQL: .*password for user "postgres" was refused/);
  expect(bad.stderr).toMatch(/FAIL S3: .*no-such-bucket-here/);
  const port = await freePort();
  const down = await runCli(cli, ["serve", "--check", "--store", `postgres://postgres:${wrong}@127.0.0.1:${port}/db`, "--blobs", `s3://${BUCKET}/x`], { env: env() });
  expect(down.code).toBe(1);
  expect(down.stderr).toMatch(/FAIL PostgreSQL: .*could not connect to postgres:\/\/postgres@127\.0\.0\.1:\d+\/db/);
  expect(down.stdout).toContain("ok   S3");
  for (const out of [bad.stdout + bad.stderr, down.stdout + down.stderr]) {
    expect(out).not.toContain(wrong);
    expect(out).not.toContain(AWS_SECRET);
  }
});

test("--store without --blobs (and the reverse, and a .dash folder as --store) is a usage error", async () => {
  const a = await runCli(cli, ["serve", "--store", "postgres://h/db"], { env: env() });
  expect([a.code, a.stderr]).toEqual([2, expect.stringContaining("--store needs --blobs s3://bucket/prefix")]);
  const b = await runCli(cli, ["serve", "--blobs", "s3://b/p"], { env: env() });
  expect([b.code, b.stderr]).toEqual([2, expect.stringContaining("--blobs needs --store postgres://")]);
  const c = await runCli(cli, ["serve", "--store", ".dash", "--blobs", "s3://b/p"], { env: env() });
  expect([c.code, c.stderr]).toEqual([2, expect.stringContaining("--store takes a postgres:// URL")]);
  const d = await runCli(cli, ["serve", "--check"], { env: env() });
  expect([d.code, d.stderr]).toEqual([2, expect.stringContaining("--check checks a team store")]);
});
