/**
 * Versioned, idempotent schema migrations for the team store.
 *
 * Each migration runs in its own transaction that first takes a transaction-scoped advisory lock,
 * so any number of server processes may start at once: one applies a migration, the others wait
 * on the lock, then see it recorded in `schema_migrations` and skip it. A failing migration rolls
 * back whole (PostgreSQL's DDL is transactional) and is tried again at the next start.
 *
 * `schema_migrations` records each version with a SHA-256 of its SQL: a released migration whose
 * text changed, or a database migrated by a newer ml-dash than this one, is refused with a
 * ConfigurationError instead of being half-understood.
 *
 * Migration SQL lives in TypeScript modules (not .sql files) so the store runs where there is no
 * file system (Workers) and bundles need no loader.
 */
import { ConfigurationError } from "../../../errors.ts";
import { sha256Hex } from "../../../files/sha256.ts";
import { INITIAL_SCHEMA } from "./migrations/0001-initial.ts";
import { STORE_SCHEMA } from "./migrations/0002-store.ts";
import { WRITERS_SCHEMA } from "./migrations/0003-writers.ts";
import { CHUNK_FACTS_SCHEMA } from "./migrations/0004-chunk-facts.ts";
import type { Sql } from "./pg.ts";

/** One schema step. */
export interface Migration {
  /** 1, 2, 3, …: applied in order, each once. */
  readonly version: number;
  readonly name: string;
  /** One or more statements. */
  readonly sql: string;
}

/** The team store's migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial", sql: INITIAL_SCHEMA },
  { version: 2, name: "store", sql: STORE_SCHEMA },
  { version: 3, name: "writers", sql: WRITERS_SCHEMA },
  { version: 4, name: "chunk facts", sql: CHUNK_FACTS_SCHEMA },
];

/**
 * The advisory lock key of migrations: a fixed 64-bit number ("ml-dash" in ASCII), so every
 * ml-dash process takes the same lock and other applications' keys are unlikely to collide.
 */
export const MIGRATION_LOCK_KEY = 0x6d6c2d64617368n;

/** What {@link migrate} did. */
export interface MigrateResult {
  /** Versions this call applied (empty when the schema was current). */
  readonly applied: number[];
  /** The schema version afterwards. */
  readonly version: number;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Brings the schema up to date.
 * @example
 * const pg = openPg({ url, env: process.env });
 * await pg.run("migrate", (sql) => migrate(sql));
 */
export async function migrate(sql: Sql, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrateResult> {
  checkOrder(migrations);
  const checksums = new Map<number, string>();
  for (const m of migrations) checksums.set(m.version, await sha256Hex(new TextEncoder().encode(m.sql)));
  const applied: number[] = [];
  let version = 0;
  // Each pending migration in its own locked transaction (the loop re-reads what is applied: another
  // process may have applied it while we waited for the lock).
  for (;;) {
    const step = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
      await tx`
        create table if not exists schema_migrations (
          version     integer primary key,
          name        text not null,
          checksum    text not null,
          applied_at  timestamptz not null default now()
        )`;
      const rows = await tx<AppliedRow[]>`select version, name, checksum from schema_migrations order by version`;
      verify(rows, migrations, checksums);
      const done = new Set(rows.map((r) => r.version));
      const next = migrations.find((m) => !done.has(m.version));
      if (!next) return { applied: undefined, version: rows.at(-1)?.version ?? 0 };
      await tx.unsafe(next.sql).simple();
      await tx`insert into schema_migrations (version, name, checksum) values (${next.version}, ${next.name}, ${checksums.get(next.version) as string})`;
      return { applied: next.version, version: next.version };
    });
    version = step.version;
    if (step.applied === undefined) break;
    applied.push(step.applied);
  }
  return { applied, version };
}

/** The schema version of the database (0 before the first migration). */
export async function schemaVersion(sql: Sql): Promise<number> {
  const [exists] = await sql<{ present: boolean }[]>`select to_regclass('schema_migrations') is not null as present`;
  if (!exists?.present) return 0;
  const [row] = await sql<{ version: number | null }[]>`select max(version) as version from schema_migrations`;
  return row?.version ?? 0;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new ConfigurationError(`Migration "${m.name}" has version ${m.version}; versions must be 1, 2, 3, … in order`, { code: "PG_MIGRATIONS" });
  });
}

function verify(rows: AppliedRow[], migrations: readonly Migration[], checksums: Map<number, string>): void {
  const known = migrations.length;
  for (const row of rows) {
    if (row.version > known) {
      throw new ConfigurationError(
        `The database schema is at version ${rows.at(-1)?.version} but this ml-dash knows versions up to ${known}: a newer ml-dash migrated it. Upgrade this server`,
        { code: "PG_SCHEMA_TOO_NEW" },
      );
    }
    if (checksums.get(row.version) !== row.checksum) {
      throw new ConfigurationError(
        `Migration ${row.version} ("${row.name}") differs from the one applied to this database: a released migration must never change. Restore it and add a new migration instead`,
        { code: "PG_MIGRATION_CHANGED" },
      );
    }
  }
}
