/**
 * `ml-dash serve --check` for the team store (checkTeamStore), each case produced for real: a
 * real PostgreSQL (wrong password, missing database, a role without the privileges the store
 * needs, a closed port) and s3rver (missing bucket, unknown access key, a closed port). Both sides
 * are always reported; no secret appears in any error.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { AuthenticationError, ConfigurationError, NetworkError } from "../../../src/errors.ts";
import { checkTeamStore, durabilityWarning, type TeamStoreCheck } from "../../../src/server/stores/team/check.ts";
import { MIGRATIONS, migrate } from "../../../src/server/stores/team/migrations.ts";
import { openPg } from "../../../src/server/stores/team/pg.ts";
import { S3Client } from "../../../src/server/stores/team/s3.ts";
import { s3ConfigFromEnv } from "../../../src/server/stores/team/s3-config.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import { clientFor, SECRET, TOKEN } from "./s3-helpers.ts";
import { freePort } from "../../support/ports.ts";

/** The newest schema version: every migration applied. */
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

let pg: TestPostgres;
let s3: TestS3;

beforeAll(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startS3rver({ buckets: ["team"] })]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

function expectClean(report: TeamStoreCheck): void {
  for (const e of report.errors) {
    const text = `${inspect(e, { depth: 10, showHidden: true })}${JSON.stringify(e, Object.getOwnPropertyNames(e))}`;
    for (const secret of [pg.password, SECRET, TOKEN, "S3RVER", "wrong-pw-123"]) expect(text).not.toContain(secret);
  }
}

describe("durabilityWarning", () => {
  test("nothing for the defaults; each setting that loses answered writes named, with what it risks", () => {
    for (const synchronousCommit of ["on", "local", "remote_write", "remote_apply"]) expect(durabilityWarning({ fsync: "on", synchronousCommit })).toBeUndefined();
    expect(durabilityWarning({ fsync: "on", synchronousCommit: "off" })).toMatch(/^PostgreSQL runs with synchronous_commit = off: .* if PostgreSQL crashes\. Turn it on \(ALTER SYSTEM SET synchronous_commit = on/);
    expect(durabilityWarning({ fsync: "off", synchronousCommit: "on" })).toMatch(/^PostgreSQL runs with fsync = off: .* if its host crashes\. Turn it on \(ALTER SYSTEM SET fsync = on/);
  });
});

describe("checkTeamStore", () => {
  test("a reachable database and bucket pass, and the probe object is gone afterwards", async () => {
    const url = await pg.createDatabase();
    const client = clientFor(s3, "s3://team/ok");
    const report = await checkTeamStore({ pg: { url }, s3: client });
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.postgres).toEqual({
      ok: true,
      result: {
        target: expect.stringMatching(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/db_/),
        serverVersion: expect.stringMatching(/^15\./),
        schemaVersion: 0,
        latestVersion: LATEST,
        // The test server runs without fsync: the check says what that risks.
        durabilityWarning: expect.stringMatching(/^PostgreSQL runs with fsync = off and synchronous_commit = off: .* if its host crashes/),
      },
    });
    expect(report.s3).toEqual({ ok: true, result: { target: "s3://team/ok", sampleObjects: 0 } });
    const left: string[] = [];
    for await (const o of client.list()) left.push(o.key);
    expect(left).toEqual([]);
  });

  test("a wrong password: the PostgreSQL side fails with what to fix, the S3 side is still reported", async () => {
    const report = await checkTeamStore({ pg: { url: pg.urlFor(pg.database, { password: "wrong-pw-123" }) }, s3: clientFor(s3, "s3://team") });
    expect(report.ok).toBe(false);
    expect(report.s3.ok).toBe(true);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toBeInstanceOf(AuthenticationError);
    expect(report.errors[0]).toMatchObject({ code: "PG_AUTH" });
    expect(report.errors[0]?.message).toContain("PGPASSWORD");
    expectClean(report);
  });

  test("a missing database", async () => {
    const report = await checkTeamStore({ pg: { url: pg.urlFor("nothing_here") }, s3: clientFor(s3, "s3://team") });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toBeInstanceOf(ConfigurationError);
    expect(report.errors[0]).toMatchObject({ code: "PG_NO_DATABASE" });
    expectClean(report);
  });

  test("a missing bucket: the S3 side fails with how to create it", async () => {
    const report = await checkTeamStore({ pg: { url: pg.url }, s3: clientFor(s3, "s3://not-a-bucket/x") });
    expect(report.postgres.ok).toBe(true);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toBeInstanceOf(ConfigurationError);
    expect(report.errors[0]).toMatchObject({ code: "S3_NO_SUCH_BUCKET" });
    expect(report.errors[0]?.message).toContain("aws s3 mb s3://not-a-bucket");
    expectClean(report);
  });

  test("access denied by S3 (an access key it does not know)", async () => {
    const report = await checkTeamStore({ pg: { url: pg.url }, s3: clientFor(s3, "s3://team", {}, { AWS_ACCESS_KEY_ID: "AKIANOTKNOWN" }) });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toBeInstanceOf(AuthenticationError);
    expect(report.errors[0]).toMatchObject({ code: "S3_INVALID_ACCESS_KEY" });
    expectClean(report);
  });

  test("no network: both sides unreachable, both reported", async () => {
    const [pgPort, s3Port] = await Promise.all([freePort(), freePort()]);
    const client = new S3Client(
      s3ConfigFromEnv("s3://team", { AWS_ENDPOINT_URL: `http://127.0.0.1:${s3Port}`, AWS_ACCESS_KEY_ID: "AKIA-X", AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN }),
      { retries: 0 },
    );
    const report = await checkTeamStore({ pg: { url: `postgres://postgres:${pg.password}@127.0.0.1:${pgPort}/x` }, s3: client });
    expect(report.errors.map((e) => [e.constructor.name, e.code])).toEqual([
      ["NetworkError", "PG_UNREACHABLE"],
      ["NetworkError", "S3_UNREACHABLE"],
    ]);
    expect(report.errors.every((e) => e instanceof NetworkError)).toBe(true);
    expectClean(report);
  });

  test("a role without the privileges the store needs: CREATE while migrations are pending, then table access", async () => {
    const url = await pg.createDatabase();
    const dbName = decodeURIComponent(new URL(url.replace(/^postgres:/, "http:")).pathname.slice(1));
    const admin = openPg({ url, max: 1 });
    try {
      const role = `limited_${Date.now().toString(36)}`;
      const rolePassword = "limited-pw-456";
      await admin.sql.unsafe(`create role ${role} login password '${rolePassword}'`);
      const limitedUrl = pg.urlFor(dbName, { user: role, password: rolePassword });
      const s3Client = clientFor(s3, "s3://team");

      // PostgreSQL 15 gives PUBLIC no CREATE on schema public: the schema cannot be migrated by this role.
      let report = await checkTeamStore({ pg: { url: limitedUrl }, s3: s3Client });
      expect(report.errors).toHaveLength(1);
      expect(report.errors[0]).toBeInstanceOf(AuthenticationError);
      expect(report.errors[0]).toMatchObject({ code: "PG_PERMISSION" });
      expect(report.errors[0]?.message).toContain(`GRANT CREATE ON SCHEMA public TO "${role}"`);

      // Migrated by the owner, but no table privileges for the role yet.
      await migrate(admin.sql);
      report = await checkTeamStore({ pg: { url: limitedUrl }, s3: s3Client });
      expect(report.errors[0]).toMatchObject({ code: "PG_PERMISSION" });
      expect(report.errors[0]?.message).toContain("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public");

      await admin.sql.unsafe(`grant select, insert, update, delete on all tables in schema public to ${role}`);
      report = await checkTeamStore({ pg: { url: limitedUrl }, s3: s3Client });
      expect(report.errors).toEqual([]);
      expect(report.postgres).toMatchObject({ ok: true, result: { schemaVersion: LATEST, latestVersion: LATEST } });
      for (const e of report.errors) expect(inspect(e)).not.toContain(rolePassword);
    } finally {
      await admin.close(1);
    }
  });
});
