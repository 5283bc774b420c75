/**
 * The team store's PostgreSQL connection (postgres.js) and its errors as ml-dash's typed errors.
 *
 * postgres.js is given every setting explicitly (see pg-config.ts), keeps int8 as strings (our ids
 * are 16-digit decimal strings in the API, and Number would round past 2^53), and its notices
 * ("relation already exists, skipping") are dropped instead of printed.
 *
 * | PostgreSQL says | error | code |
 * |---|---|---|
 * | wrong password (28P01) | AuthenticationError | PG_AUTH |
 * | no such role, or pg_hba refuses (28000) | AuthenticationError | PG_AUTH |
 * | no such database (3D000) | ConfigurationError | PG_NO_DATABASE |
 * | permission denied (42501) | AuthenticationError | PG_PERMISSION |
 * | TLS refused or required | ConfigurationError | PG_SSL |
 * | connection refused, unknown host, reset | NetworkError | PG_UNREACHABLE |
 * | connect timeout | NetworkError | PG_TIMEOUT |
 * | starting up / shutting down (57P03, 57P01) | NetworkError | PG_UNAVAILABLE |
 * | anything else | StorageError | PG_<SQLSTATE> |
 */
import postgres from "postgres";
import { AuthenticationError, ConfigurationError, MlDashError, NetworkError, StorageError } from "../../../errors.ts";
import { describePg, pgConnectionFrom, type PgConnection } from "./pg-config.ts";
import type { Env } from "./s3-config.ts";
import { errorCode, redactor, safeCause, type Redact } from "./secrets.ts";

/** A postgres.js client. */
export type Sql = postgres.Sql;

/** Options of {@link openPg}. */
export interface PgOptions {
  /** A `postgres://` URL (the environment fills what it leaves out). */
  url?: string | undefined;
  /** The environment for `PG*` variables (the CLI passes `process.env`). */
  env?: Env;
  /** Connections in the pool (default 10). */
  max?: number;
  /** Overrides the connect timeout of the URL / `PGCONNECT_TIMEOUT`, in seconds. */
  connectTimeoutSeconds?: number;
  /** Reported to the server as `application_name` (default `ml-dash`). */
  applicationName?: string;
}

/** An open pool and what it was opened with. */
export interface Pg {
  readonly sql: Sql;
  readonly connection: PgConnection;
  /** Hides the password in messages. */
  readonly redact: Redact;
  /** Runs `fn`, turning a postgres.js error into a typed error that says what to do. */
  run<T>(operation: string, fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Closes the pool (waits up to `timeoutSeconds` for running queries; default 5). */
  close(timeoutSeconds?: number): Promise<void>;
}

/**
 * Opens a connection pool (lazily: the first query connects).
 * @example
 * const pg = openPg({ url: "postgres://mldash@db:5432/mldash", env: process.env });
 * const rows = await pg.run("list projects", (sql) => sql`select slug from projects`);
 */
export function openPg(options: PgOptions = {}): Pg {
  const connection = pgConnectionFrom(options.url, options.env ?? {});
  const redact = redactor([connection.password]);
  const sql = postgres({
    ...(connection.socketPath ? { path: connection.socketPath } : { host: connection.host, port: connection.port }),
    user: connection.user,
    ...(connection.password === undefined ? {} : { pass: connection.password }),
    database: connection.database,
    ssl: connection.ssl,
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? connection.connectTimeoutSeconds,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "ml-dash" },
  });
  return {
    sql,
    connection,
    redact,
    run: async (operation, fn) => {
      try {
        return await fn(sql);
      } catch (e) {
        throw pgError(e, connection, redact, operation);
      }
    },
    close: (timeoutSeconds = 5) => sql.end({ timeout: timeoutSeconds }),
  };
}

/** The typed error for a postgres.js error (see the table in the file comment). */
export function pgError(error: unknown, connection: PgConnection, redact: Redact, operation: string): MlDashError {
  if (error instanceof MlDashError) return error;
  const where = describePg(connection);
  const code = errorCode(error);
  const serverMessage = redact(error instanceof Error ? error.message : String(error));
  const cause = safeCause(error, redact);
  const op = `PostgreSQL ${operation} failed`;
  // Before the network cases: postgres.js attempts TLS even when the server declined it, and the
  // server then drops the connection (ECONNRESET "…before secure TLS connection was established").
  if (/\bSSL\b|\bTLS\b|certificate/i.test(serverMessage)) {
    return new ConfigurationError(`${op}: TLS to ${where} failed (${serverMessage}). Set sslmode (PGSSLMODE or ?sslmode=) to what the server supports`, {
      code: "PG_SSL",
      cause,
    });
  }
  switch (code) {
    case "28P01":
      return new AuthenticationError(`${op}: the password for user "${connection.user}" was refused at ${where}. Check PGPASSWORD or the password in the postgres:// URL`, {
        code: "PG_AUTH",
        cause,
      });
    case "28000":
      return new AuthenticationError(
        `${op}: ${where} refused user "${connection.user}" (${serverMessage}). Check PGUSER, and that pg_hba.conf lets this host connect`,
        { code: "PG_AUTH", cause },
      );
    case "3D000":
      return new ConfigurationError(
        `${op}: the database "${connection.database}" does not exist at ${where}. Create it (\`createdb ${connection.database}\` or CREATE DATABASE) or fix PGDATABASE / the URL`,
        { code: "PG_NO_DATABASE", cause },
      );
    case "42501":
      return new AuthenticationError(
        `${op}: user "${connection.user}" lacks a permission (${serverMessage}). Grant it what the team store needs: CONNECT on the database, and CREATE on the schema for migrations`,
        { code: "PG_PERMISSION", cause },
      );
    case "57P03":
    case "57P01":
    case "57P02":
      return new NetworkError(`${op}: ${where} is starting up or shutting down (${serverMessage}). Try again shortly`, { code: "PG_UNAVAILABLE", cause });
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ECONNRESET":
    case "ENOENT":
    case "CONNECTION_CLOSED":
    case "CONNECTION_ENDED":
    case "CONNECTION_DESTROYED":
      return new NetworkError(
        `${op}: could not connect to ${where} (${code}). Check that PostgreSQL is running and reachable there (PGHOST, PGPORT, or the postgres:// URL)`,
        { code: "PG_UNREACHABLE", cause },
      );
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
    case "TIMEOUT":
      return new NetworkError(
        `${op}: ${where} did not answer within ${connection.connectTimeoutSeconds} s. Check the host and port, firewalls, and PGCONNECT_TIMEOUT`,
        { code: "PG_TIMEOUT", cause },
      );
  }
  return new StorageError(`${op}: ${serverMessage}`, { code: `PG_${code ?? "ERROR"}`, cause });
}
