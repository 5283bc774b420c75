/**
 * `ml-dash serve --check` for the team store: can this server reach its PostgreSQL and its bucket,
 * and may it do what it needs there? Both are checked (at the same time) and both reported, so an
 * operator fixes everything in one round; each failure is a typed error whose message says what
 * to do and carries no secret.
 *
 * PostgreSQL: connect (password, database, network, TLS), then the privileges the store needs —
 * CREATE on the schema while migrations are pending, else SELECT/INSERT/UPDATE/DELETE on its
 * tables. S3: list the prefix (bucket exists, s3:ListBucket), then write, read back and delete a
 * small probe object (s3:PutObject, s3:GetObject, s3:DeleteObject).
 */
import { AuthenticationError, MlDashError, StorageError } from "../../../errors.ts";
import { describePg } from "./pg-config.ts";
import { openPg, pgError, type Pg, type PgOptions, type Sql } from "./pg.ts";
import { MIGRATIONS, schemaVersion } from "./migrations.ts";
import type { S3Client } from "./s3.ts";

/** The tables the store reads and writes (migrations 1 and 2). */
const STORE_TABLES = ["namespaces", "projects", "folders", "experiments", "params", "series", "accepted_batches", "recent_points", "pending_batches", "chunks", "files", "file_folders", "object_gc", "tokens"];

/** What the PostgreSQL check found. */
export interface PgCheck {
  /** `postgres://user@host:port/database` (no password). */
  readonly target: string;
  readonly serverVersion: string;
  /** Applied schema version (0 before the first start). */
  readonly schemaVersion: number;
  /** The version this ml-dash migrates to. */
  readonly latestVersion: number;
  /** Why an answered write could be lost there (see {@link durabilityWarning}); undefined when it cannot. */
  readonly durabilityWarning?: string;
}

/** The PostgreSQL settings an answered write's durability rests on. */
export interface PgDurability {
  readonly fsync: string;
  readonly synchronousCommit: string;
}

/**
 * What a team store on a server with these settings may lose, or undefined when it loses
 * nothing it answered: with `fsync = off` a crash of PostgreSQL's host can lose or corrupt
 * committed data; with `synchronous_commit = off` a crash of PostgreSQL loses the last commits
 * (up to three times `wal_writer_delay`), though the store answered them.
 */
export function durabilityWarning(d: PgDurability): string | undefined {
  const off = [d.fsync === "off" ? "fsync" : undefined, d.synchronousCommit === "off" ? "synchronous_commit" : undefined].filter((s): s is string => s !== undefined);
  if (off.length === 0) return undefined;
  return `PostgreSQL runs with ${off.map((s) => `${s} = off`).join(" and ")}: writes this server has answered can be lost if ${d.fsync === "off" ? "its host crashes" : "PostgreSQL crashes"}. Turn ${off.length > 1 ? "them" : "it"} on (ALTER SYSTEM SET ${off[0]} = on, then reload) unless that loss is acceptable`;
}

/** The settings of the connected server (any role may read them). */
export async function pgDurability(sql: Sql): Promise<PgDurability> {
  const [s] = await sql<{ fsync: string; sync: string }[]>`select current_setting('fsync') as fsync, current_setting('synchronous_commit') as sync`;
  return { fsync: s?.fsync ?? "on", synchronousCommit: s?.sync ?? "on" };
}

/** What the S3 check found. */
export interface S3Check {
  /** `s3://bucket/prefix`. */
  readonly target: string;
  /** Objects seen under the prefix (at most one page is listed). */
  readonly sampleObjects: number;
}

/** One side's outcome. */
export type CheckOutcome<T> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: MlDashError };

/** The report of {@link checkTeamStore}. */
export interface TeamStoreCheck {
  readonly ok: boolean;
  readonly postgres: CheckOutcome<PgCheck>;
  readonly s3: CheckOutcome<S3Check>;
  /** The failures, PostgreSQL's first. */
  readonly errors: MlDashError[];
}

/** Options of {@link checkTeamStore}. */
export interface TeamStoreCheckOptions {
  /** Where PostgreSQL is (a pool is opened for the check and closed after), or an open pool. */
  readonly pg: PgOptions | Pg;
  readonly s3: S3Client;
}

/**
 * Checks connectivity and permissions of both halves of the team store.
 * @example
 * const report = await checkTeamStore({ pg: { url, env: process.env }, s3: new S3Client(s3ConfigFromEnv(s3Url, process.env)) });
 * for (const e of report.errors) console.error(e.message);
 */
export async function checkTeamStore(options: TeamStoreCheckOptions): Promise<TeamStoreCheck> {
  const [postgres, s3] = await Promise.all([outcome(checkPostgres(options.pg)), outcome(checkS3(options.s3))]);
  const errors = [postgres, s3].flatMap((o) => (o.ok ? [] : [o.error]));
  return { ok: errors.length === 0, postgres, s3, errors };
}

async function outcome<T>(p: Promise<T>): Promise<CheckOutcome<T>> {
  try {
    return { ok: true, result: await p };
  } catch (e) {
    const error = e instanceof MlDashError ? e : new StorageError(`Team store check failed: ${e instanceof Error ? e.message : String(e)}`);
    return { ok: false, error };
  }
}

/** Connects and checks the privileges the store needs. */
export async function checkPostgres(target: PgOptions | Pg): Promise<PgCheck> {
  const owned = !("sql" in target);
  const pg = owned ? openPg({ ...target, max: 1 }) : target;
  try {
    return await pg.run("check", async (sql) => {
      const [info] = await sql<{ version: string; user: string; schema: string | null }[]>`
        select current_setting('server_version') as version, current_user as user, current_schema() as schema`;
      const schema = info?.schema ?? "public";
      const noTableAccess = (): AuthenticationError =>
        new AuthenticationError(
          `PostgreSQL check failed: user "${info?.user}" lacks SELECT, INSERT, UPDATE or DELETE on the team store's tables in ${describePg(pg.connection)}. Grant them (GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO "${info?.user}")`,
          { code: "PG_PERMISSION" },
        );
      const [m] = await sql<{ readable: boolean }[]>`
        select to_regclass('schema_migrations') is null or has_table_privilege(current_user, 'schema_migrations', 'SELECT') as readable`;
      if (!m?.readable) throw noTableAccess();
      const version = await schemaVersion(sql);
      const latest = MIGRATIONS.length;
      if (version < latest) {
        const [p] = await sql<{ create: boolean }[]>`select has_schema_privilege(current_user, ${schema}, 'CREATE') as create`;
        if (!p?.create) {
          throw new AuthenticationError(
            `PostgreSQL check failed: user "${info?.user}" may not create tables in schema "${schema}" of ${describePg(pg.connection)}, and the schema needs migrating (version ${version} of ${latest}). Grant it (GRANT CREATE ON SCHEMA ${schema} TO "${info?.user}") or start once as the database owner`,
            { code: "PG_PERMISSION" },
          );
        }
      } else {
        const [p] = await sql<{ ok: boolean }[]>`
          select bool_and(has_table_privilege(current_user, c.oid, 'SELECT, INSERT, UPDATE, DELETE')) as ok
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = ${schema} and c.relkind = 'r' and c.relname = any(${STORE_TABLES})`;
        if (!p?.ok) throw noTableAccess();
      }
      const warning = durabilityWarning(await pgDurability(sql));
      return { target: describePg(pg.connection), serverVersion: info?.version ?? "?", schemaVersion: version, latestVersion: latest, ...(warning ? { durabilityWarning: warning } : {}) };
    });
  } catch (e) {
    throw pgError(e, pg.connection, pg.redact, "check");
  } finally {
    if (owned) await pg.close(1).catch(() => {});
  }
}

/** Lists the prefix, then writes, reads back and deletes a probe object. */
export async function checkS3(s3: S3Client): Promise<S3Check> {
  const page = await s3.listPage("", { pageSize: 1 });
  const probe = `.ml-dash-check/${crypto.randomUUID()}`;
  const body = new TextEncoder().encode(`ml-dash serve --check ${new Date().toISOString()}`);
  await s3.put(probe, body, { contentType: "text/plain" });
  let readError: unknown;
  try {
    const back = await s3.getBytes(probe);
    if (back.length !== body.length || back.some((b, i) => b !== body[i])) {
      throw new StorageError(`S3 check failed: ${s3.uri(probe)} read back different bytes than were written. Check the endpoint (a proxy or cache in between?)`, {
        code: "S3_CHECK_MISMATCH",
      });
    }
  } catch (e) {
    readError = e;
  }
  try {
    await s3.delete(probe);
  } catch (e) {
    // The read's failure is the one to report when both fail.
    if (readError === undefined) throw e;
  }
  if (readError !== undefined) throw readError;
  return { target: s3.uri("").replace(/\/$/, ""), sampleObjects: page.objects.length };
}
