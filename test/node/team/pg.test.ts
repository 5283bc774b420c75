/**
 * The team store's PostgreSQL connection: settings from a postgres:// URL and the libpq
 * environment, and the typed errors an operator sees — each produced for real against a
 * PostgreSQL server started for this file (wrong password, missing database, closed port, a
 * server that never answers, TLS the server does not offer).
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { AuthenticationError, ConfigurationError, NetworkError, ValidationError } from "../../../src/errors.ts";
import { openPg, type Pg } from "../../../src/server/stores/team/pg.ts";
import { describePg, pgConnectionFrom } from "../../../src/server/stores/team/pg-config.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { freePort, silentServer } from "../../support/ports.ts";

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

function open(...args: Parameters<typeof openPg>): Pg {
  const pg = openPg(...args);
  pools.push(pg);
  return pg;
}

async function failure(pg: Pg): Promise<Error> {
  const err = await pg.run("query", (sql) => sql`select 1`).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err).toBeDefined();
  return err as Error;
}

function shows(err: unknown): string {
  return `${inspect(err, { depth: 10, showHidden: true })}\n${JSON.stringify(err, Object.getOwnPropertyNames(err ?? {}))}`;
}

describe("settings from a URL and the environment (libpq's rules)", () => {
  test("the URL wins, the environment fills the gaps, defaults last", () => {
    const env = { PGHOST: "envhost", PGPORT: "6543", PGUSER: "envuser", PGPASSWORD: "envpw", PGDATABASE: "envdb", PGSSLMODE: "require" };
    expect(pgConnectionFrom("postgres://u:p%40ss@db.internal:5433/runs?sslmode=disable", env)).toMatchObject({
      host: "db.internal",
      port: 5433,
      user: "u",
      password: "p@ss",
      database: "runs",
      sslmode: "disable",
      ssl: false,
    });
    expect(pgConnectionFrom("postgres://db.internal/runs", env)).toMatchObject({ host: "db.internal", port: 6543, user: "envuser", password: "envpw", database: "runs", ssl: "require" });
    expect(pgConnectionFrom(undefined, env)).toMatchObject({ host: "envhost", port: 6543, user: "envuser", database: "envdb" });
    expect(pgConnectionFrom(undefined, { USER: "alice" })).toMatchObject({ host: "localhost", port: 5432, user: "alice", database: "alice", sslmode: "prefer", ssl: "prefer", password: undefined });
    expect(pgConnectionFrom(undefined, {})).toMatchObject({ user: "postgres", database: "postgres", connectTimeoutSeconds: 10 });
  });

  test("sslmode maps onto postgres.js; a socket folder never uses TLS", () => {
    const ssl = (mode: string) => pgConnectionFrom(`postgres://h/d?sslmode=${mode}`).ssl;
    expect(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].map(ssl)).toEqual([false, "prefer", "prefer", "require", "verify-full", "verify-full"]);
    const socket = pgConnectionFrom("postgres:///runs?host=/run/postgresql&sslmode=require");
    expect(socket).toMatchObject({ host: "/run/postgresql", database: "runs", ssl: false, socketPath: "/run/postgresql/.s.PGSQL.5432" });
    expect(pgConnectionFrom(undefined, { PGHOST: "/tmp", PGPORT: "5999" }).socketPath).toBe("/tmp/.s.PGSQL.5999");
  });

  test("bad settings are ValidationErrors that never echo a password", () => {
    expect(() => pgConnectionFrom("mysql://u:pw@h/d")).toThrow(ValidationError);
    expect(() => pgConnectionFrom("postgres://u:pw@h/d?sslmode=sometimes")).toThrow(/sslmode/);
    expect(() => pgConnectionFrom(undefined, { PGPORT: "nope" })).toThrow(ValidationError);
    let message = "";
    try {
      pgConnectionFrom("postgres://u:s3cr3t-pw@h1:5432,h2:5432/d");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("Invalid PostgreSQL URL");
    expect(message).not.toContain("s3cr3t-pw");
  });

  test("the description for messages has no password", () => {
    expect(describePg(pgConnectionFrom("postgres://u:hunter22@h:1/d"))).toBe("postgres://u@h:1/d");
  });
});

describe("connecting", () => {
  test("from the URL", async () => {
    const pg = open({ url: server.url });
    const [row] = await pg.run("query", (sql) => sql<{ db: string; big: string }[]>`select current_database() as db, 9007199254740993::int8 as big`);
    expect(row).toEqual({ db: server.database, big: "9007199254740993" }); // int8 stays exact
  });

  test("from the PG* environment alone (sslmode prefer falls back to plain TCP when the server has no TLS)", async () => {
    const pg = open({
      env: { PGHOST: server.host, PGPORT: String(server.port), PGUSER: server.user, PGPASSWORD: server.password, PGDATABASE: server.database },
    });
    const [row] = await pg.run("query", (sql) => sql<{ user: string }[]>`select current_user as user`);
    expect(row?.user).toBe("postgres");
    expect(pg.connection.ssl).toBe("prefer");
  });

  test("through the server's Unix socket folder", async () => {
    const pg = open({ url: `postgres:///${server.database}?host=${encodeURIComponent(server.dir)}`, env: { PGPORT: String(server.port), PGUSER: "postgres" } });
    const [row] = await pg.run("query", (sql) => sql<{ one: number }[]>`select 1 as one`);
    expect(row?.one).toBe(1);
  });
});

describe("errors an operator can act on, with no secret in them", () => {
  test("a wrong password is an AuthenticationError naming the user and the variable to fix", async () => {
    const wrong = "definitely-wrong-password";
    const err = await failure(open({ url: server.urlFor(server.database, { password: wrong }) }));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: "PG_AUTH" });
    expect(err.message).toContain('user "postgres"');
    expect(err.message).toContain("PGPASSWORD");
    expect(err.message).toContain(`127.0.0.1:${server.port}/${server.database}`);
    expect(shows(err)).not.toContain(wrong);
    expect(shows(err)).not.toContain(server.password);
  });

  test("an unknown user is an AuthenticationError too", async () => {
    const err = await failure(open({ url: server.urlFor(server.database, { user: "nobody_here" }) }));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(shows(err)).not.toContain(server.password);
  });

  test("a missing database is a ConfigurationError that says how to create it", async () => {
    const err = await failure(open({ url: server.urlFor("no_such_db") }));
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err).toMatchObject({ code: "PG_NO_DATABASE" });
    expect(err.message).toContain('database "no_such_db" does not exist');
    expect(err.message).toContain("createdb no_such_db");
    expect(shows(err)).not.toContain(server.password);
  });

  test("a closed port is a NetworkError saying where it tried", async () => {
    const port = await freePort();
    const err = await failure(open({ url: `postgres://postgres:${server.password}@127.0.0.1:${port}/x` }));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: "PG_UNREACHABLE" });
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toContain("ECONNREFUSED");
    expect(shows(err)).not.toContain(server.password);
  });

  test("a server that accepts the connection and never answers is a timeout NetworkError", async () => {
    const silent = await silentServer();
    try {
      const err = await failure(open({ url: `postgres://postgres:${server.password}@127.0.0.1:${silent.port}/x`, connectTimeoutSeconds: 1 }));
      expect(err).toBeInstanceOf(NetworkError);
      expect(err).toMatchObject({ code: "PG_TIMEOUT" });
      expect(shows(err)).not.toContain(server.password);
    } finally {
      await silent.close();
    }
  });

  test("sslmode=require against a server without TLS is a ConfigurationError about sslmode", async () => {
    const err = await failure(open({ url: `${server.url}?sslmode=require`, connectTimeoutSeconds: 5 }));
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err).toMatchObject({ code: "PG_SSL" });
    expect(err.message).toContain("sslmode");
    expect(shows(err)).not.toContain(server.password);
  });
});

