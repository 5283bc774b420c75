/**
 * The migration runner on a real PostgreSQL: applies once, is a no-op after, is safe when several
 * server processes start at once, rolls a failing migration back whole, and refuses a changed
 * migration or a database migrated by a newer ml-dash.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { ConfigurationError, StorageError } from "../../../src/errors.ts";
import { migrate, MIGRATIONS, schemaVersion, type Migration } from "../../../src/server/stores/team/migrations.ts";
import { openPg, type Pg } from "../../../src/server/stores/team/pg.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

let server: TestPostgres;
const pools: Pg[] = [];

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close(1).catch(() => {})));
  await server?.stop();
});

/** A pool on a fresh database. */
async function freshDb(max = 2): Promise<{ url: string; pg: Pg }> {
  const url = await server.createDatabase();
  const pg = openPg({ url, max });
  pools.push(pg);
  return { url, pg };
}

async function tables(pg: Pg): Promise<string[]> {
  const rows = await pg.sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public' order by 1`;
  return rows.map((r) => r.name);
}

describe("migrate", () => {
  test("a fresh database gets the whole schema, once", async () => {
    const { pg } = await freshDb();
    expect(await schemaVersion(pg.sql)).toBe(0);
    expect(await migrate(pg.sql)).toEqual({ applied: [1, 2, 3, 4], version: 4 });
    expect(await tables(pg)).toEqual([
      "accepted_batches",
      "chunks",
      "experiments",
      "file_folders",
      "files",
      "folders",
      "namespaces",
      "object_gc",
      "params",
      "pending_batches",
      "projects",
      "recent_points",
      "schema_migrations",
      "series",
      "tokens",
      "writer_positions",
    ]);
    expect(await migrate(pg.sql)).toEqual({ applied: [], version: 4 });
    const rows = await pg.sql<{ version: number; name: string; checksum: string }[]>`select version, name, checksum from schema_migrations`;
    expect(rows).toEqual([
      { version: 1, name: "initial", checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { version: 2, name: "store", checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { version: 3, name: "writers", checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { version: 4, name: "chunk facts", checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(await schemaVersion(pg.sql)).toBe(MIGRATIONS.length);
  });

  test("six server processes starting at once: one applies each migration, all end at the same version", async () => {
    const url = await server.createDatabase();
    // One pool per "process": separate connections, racing for the advisory lock.
    const nodes = Array.from({ length: 6 }, () => {
      const pg = openPg({ url, max: 1 });
      pools.push(pg);
      return pg;
    });
    const extra: Migration = { version: 5, name: "extra", sql: "create table extra (id int primary key); insert into extra values (1);" };
    const results = await Promise.all(nodes.map((pg) => migrate(pg.sql, [...MIGRATIONS, extra])));
    expect(results.every((r) => r.version === 5)).toBe(true);
    expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2, 3, 4, 5]);
    const [row] = await nodes[0]!.sql<{ n: number }[]>`select count(*)::int as n from extra`;
    expect(row?.n).toBe(1); // the data step ran once
  });

  test("a failing migration rolls back whole and is tried again next time", async () => {
    const { pg } = await freshDb();
    const broken: Migration = { version: 5, name: "broken", sql: "create table half_done (id int); select no_such_function();" };
    const err = await pg.run("migrate", (sql) => migrate(sql, [...MIGRATIONS, broken])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toContain("no_such_function");
    expect(await schemaVersion(pg.sql)).toBe(4); // migrations 1 to 4 stay applied
    expect(await tables(pg)).not.toContain("half_done");
    const fixed: Migration = { version: 5, name: "broken", sql: "create table half_done (id int);" };
    expect(await migrate(pg.sql, [...MIGRATIONS, fixed])).toEqual({ applied: [5], version: 5 });
  });

  test("an applied migration whose text changed is refused", async () => {
    const { pg } = await freshDb();
    await migrate(pg.sql);
    const edited = [{ ...MIGRATIONS[0]!, sql: MIGRATIONS[0]!.sql + "\n-- edited" }];
    const err = await migrate(pg.sql, edited).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err).toMatchObject({ code: "PG_MIGRATION_CHANGED" });
    expect((err as Error).message).toContain("add a new migration");
  });

  test("a database migrated by a newer ml-dash is refused, not touched", async () => {
    const { pg } = await freshDb();
    await migrate(pg.sql, [...MIGRATIONS, { version: 5, name: "future", sql: "create table future (x int);" }]);
    const err = await migrate(pg.sql).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err).toMatchObject({ code: "PG_SCHEMA_TOO_NEW" });
    expect((err as Error).message).toContain("Upgrade this server");
  });

  test("versions out of order are a programming error caught before touching the database", async () => {
    const { pg } = await freshDb();
    await expect(migrate(pg.sql, [{ version: 2, name: "x", sql: "select 1" }])).rejects.toBeInstanceOf(ConfigurationError);
    expect(await schemaVersion(pg.sql)).toBe(0);
  });
});
