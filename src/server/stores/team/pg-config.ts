/**
 * Where the team store's PostgreSQL is, from a `postgres://` URL and/or the standard libpq
 * environment, with libpq's precedence (what the URL says wins; the environment fills the gaps):
 *
 * | setting | URL | environment | default |
 * |---|---|---|---|
 * | host | `postgres://…@host` or `?host=` (a `/folder` means a Unix socket) | `PGHOST` | `localhost` |
 * | port | `:port` | `PGPORT` | 5432 |
 * | user | `postgres://user@` | `PGUSER` | `USER`, else `postgres` |
 * | password | `postgres://user:password@` | `PGPASSWORD` | none |
 * | database | `/database` | `PGDATABASE` | the user name |
 * | TLS | `?sslmode=` | `PGSSLMODE` | `prefer` (as libpq) |
 * | connect timeout (s) | `?connect_timeout=` | `PGCONNECT_TIMEOUT` | 10 |
 *
 * sslmode: `disable`; `allow`/`prefer` (TLS when the server offers it); `require` (TLS, any
 * certificate); `verify-ca`/`verify-full` (TLS with a verified certificate and host name).
 *
 * Everything is resolved here and handed to postgres.js explicitly, so it never falls back to
 * `process.env` itself (it reads `PGSSL`, not libpq's `PGSSLMODE`), and this file runs where
 * `process` does not exist: the environment is passed in.
 */
import { ValidationError } from "../../../errors.ts";
import type { Env } from "./s3-config.ts";

/** TLS as postgres.js takes it. */
export type PgSsl = false | "prefer" | "require" | "verify-full";

/** A resolved PostgreSQL connection. */
export interface PgConnection {
  /** A host name or address; for a Unix socket, the socket's folder. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
  readonly sslmode: "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";
  readonly ssl: PgSsl;
  readonly connectTimeoutSeconds: number;
  /** The socket file when `host` is a folder. */
  readonly socketPath: string | undefined;
}

const SSLMODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;

/**
 * The connection from `url` (optional) and the environment.
 * @example
 * const conn = pgConnectionFrom(process.env["DATABASE_URL"], process.env);
 */
export function pgConnectionFrom(url: string | undefined, env: Env = {}): PgConnection {
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === "" ? undefined : v;
  };
  let fromUrl: { host?: string; port?: string; user?: string; password?: string; database?: string; params: URLSearchParams } = { params: new URLSearchParams() };
  if (url !== undefined && url.trim() !== "") fromUrl = parseUrl(url.trim());
  const host = fromUrl.params.get("host") ?? fromUrl.host ?? get("PGHOST") ?? "localhost";
  const portText = fromUrl.params.get("port") ?? fromUrl.port ?? get("PGPORT") ?? "5432";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ValidationError(`Invalid PostgreSQL port "${portText}"`, { field: "PGPORT" });
  const user = fromUrl.params.get("user") ?? fromUrl.user ?? get("PGUSER") ?? get("USER") ?? "postgres";
  const password = fromUrl.params.get("password") ?? fromUrl.password ?? get("PGPASSWORD");
  const database = fromUrl.params.get("dbname") ?? fromUrl.database ?? get("PGDATABASE") ?? user;
  const modeText = (fromUrl.params.get("sslmode") ?? get("PGSSLMODE") ?? "prefer").toLowerCase();
  if (!(SSLMODES as readonly string[]).includes(modeText)) {
    throw new ValidationError(`Invalid sslmode "${modeText}": one of ${SSLMODES.join(", ")}`, { field: "PGSSLMODE" });
  }
  const sslmode = modeText as PgConnection["sslmode"];
  const timeoutText = fromUrl.params.get("connect_timeout") ?? get("PGCONNECT_TIMEOUT") ?? "10";
  const connectTimeoutSeconds = Number(timeoutText);
  if (!Number.isFinite(connectTimeoutSeconds) || connectTimeoutSeconds <= 0) {
    throw new ValidationError(`Invalid connect_timeout "${timeoutText}": a number of seconds`, { field: "PGCONNECT_TIMEOUT" });
  }
  const socket = host.startsWith("/");
  return {
    host,
    port,
    user,
    password,
    database,
    sslmode,
    // A Unix socket never uses TLS.
    ssl: socket || sslmode === "disable" ? false : sslmode === "allow" || sslmode === "prefer" ? "prefer" : sslmode === "require" ? "require" : "verify-full",
    connectTimeoutSeconds,
    socketPath: socket ? `${host.replace(/\/+$/, "")}/.s.PGSQL.${port}` : undefined,
  };
}

/** `postgres://user@host:port/database` without the password, for messages. */
export function describePg(conn: PgConnection): string {
  const host = conn.socketPath ? `[${conn.host}]` : conn.host.includes(":") ? `[${conn.host}]` : conn.host;
  return `postgres://${encodeURIComponent(conn.user)}@${host}:${conn.port}/${encodeURIComponent(conn.database)}`;
}

function parseUrl(url: string): { host?: string; port?: string; user?: string; password?: string; database?: string; params: URLSearchParams } {
  const scheme = /^(postgres|postgresql):\/\//i.exec(url);
  if (!scheme) throw new ValidationError("Invalid PostgreSQL URL: write it as postgres://user:password@host:port/database", { field: "pg" });
  let u: URL;
  const rest = url.slice(scheme[0].length);
  // postgres:///db?host=/run/postgresql has no host part; the placeholder keeps the path a path.
  const hostless = rest.startsWith("/");
  try {
    // WHATWG URL parses special schemes only: read it as http to get the parts.
    u = new URL(`http://${hostless ? "no-host.invalid" : ""}${rest}`);
  } catch {
    // The URL may hold a password: never echo it.
    throw new ValidationError("Invalid PostgreSQL URL: write it as postgres://user:password@host:port/database (several hosts are not supported)", { field: "pg" });
  }
  const decode = (s: string): string | undefined => (s === "" ? undefined : decodeURIComponent(s));
  const out: { host?: string; port?: string; user?: string; password?: string; database?: string; params: URLSearchParams } = { params: u.searchParams };
  const host = hostless ? undefined : decode(u.hostname.replace(/^\[|\]$/g, ""));
  if (host !== undefined) out.host = host;
  if (u.port !== "") out.port = u.port;
  const user = decode(u.username);
  if (user !== undefined) out.user = user;
  const password = decode(u.password);
  if (password !== undefined) out.password = password;
  const database = decode(u.pathname.replace(/^\//, ""));
  if (database !== undefined) out.database = database;
  return out;
}
