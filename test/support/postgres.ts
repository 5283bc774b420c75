/**
 * A throwaway PostgreSQL server for tests: a real `postgres` process (Debian's build), never a
 * mock. `startPostgres()` installs Debian's `postgresql` package when its binaries are missing and
 * we are root, runs `initdb` in a fresh temporary folder, starts the server on 127.0.0.1 at a free
 * port (its socket in that folder too, so nothing touches /var/run/postgresql), waits until it
 * accepts connections, and creates a database. `stop()` shuts it down (`pg_ctl stop -m fast`) and
 * removes the folder.
 *
 * initdb refuses to run as root, so as root the folder belongs to the `postgres` user (created by
 * the Debian package) and every server binary runs as that user through `runuser`.
 *
 * TCP connections need a password (scram-sha-256; the superuser's is random per server), so a
 * wrong password is refused as on a real deployment. The socket in the folder trusts local users.
 * initdb runs once per machine into a template folder in the temp directory, which each server copies.
 *
 * Works as a vitest globalSetup (`const pg = await startPostgres(); provide("pgUrl", pg.url);
 * return pg.stop;`) or in `beforeAll` of one file.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { freePort } from "./ports.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";

/** A running test server. */
export interface TestPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/<database>` of the database made at start. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The superuser (`postgres`). */
  readonly user: string;
  /** The superuser's password (random). */
  readonly password: string;
  /** The database made at start. */
  readonly database: string;
  /** The server's folder (data directory in `data/`, socket and log beside it). */
  readonly dir: string;
  /** Creates another database (a fresh name when none is given) and answers its URL. */
  createDatabase(name?: string): Promise<string>;
  /** The URL of database `name` (which need not exist), optionally as another user or password. */
  urlFor(name: string, auth?: { user?: string; password?: string }): string;
  /** Stops the server and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** The database to create (default `mldash`). */
  database?: string;
}

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** The folder holding initdb, pg_ctl and pg_isready: the newest /usr/lib/postgresql/<v>/bin, else PATH. */
function findBinDir(): string | undefined {
  const fromEnv = process.env["PG_BIN"];
  if (fromEnv && existsSync(join(fromEnv, "initdb"))) return fromEnv;
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(base, versions[0], "bin");
  }
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  const path = which.stdout.trim();
  return which.status === 0 && path ? path.replace(/\/initdb$/, "") : undefined;
}

let installed: string | undefined;

/** The binaries' folder, installing Debian's `postgresql` package first when needed (as root). */
export function postgresBinDir(): string {
  if (installed) return installed;
  let dir = findBinDir();
  if (!dir && asRoot && existsSync("/usr/bin/apt-get")) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const install = (): boolean =>
      spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], { env, stdio: "inherit" }).status === 0;
    // A machine that never ran `apt-get update` has no package lists: update once and retry.
    if (!install()) {
      spawnSync("apt-get", ["update"], { env, stdio: "inherit" });
      install();
    }
    dir = findBinDir();
  }
  if (!dir) throw new Error("PostgreSQL is not installed: run `apt-get install -y postgresql` (Debian), or set PG_BIN to the folder holding initdb");
  return (installed = dir);
}

/** Runs a server binary, as `postgres` when we are root. */
function run(bin: string, args: string[]): string {
  const [cmd, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  try {
    return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${bin.split("/").pop()} failed: ${err.stderr || err.stdout || err.message}`);
  }
}


/** Resolves when `pg_isready` says the server accepts connections (pg_ctl -w has usually waited already). */
async function waitReady(bin: string, dir: string, port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    const r = spawnSync(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-d", "postgres", "-U", "postgres", "-q"]);
    if (r.status === 0) return;
    if (Date.now() > deadline) {
      const log = existsSync(join(dir, "server.log")) ? readFileSync(join(dir, "server.log"), "utf8") : "";
      throw new Error(`PostgreSQL on port ${port} did not become ready:\n${log.slice(-2000)}`);
    }
    // Poll the condition again shortly: nothing else tells us when a postmaster is up.
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * A data folder made by initdb once per machine and PostgreSQL build, copied for each server:
 * initdb takes seconds (it writes and syncs the whole catalog), a copy a fraction of that. Made in
 * a temporary folder and renamed into place, so parallel workers never see half a template.
 */
function templateData(bin: string): string {
  const version = run(join(bin, "initdb"), ["--version"]).trim().replace(/[^0-9A-Za-z.]+/g, "_");
  const template = join(tmpdir(), `mldash-pg-template-${version}-${process.getuid?.() ?? 0}`);
  if (existsSync(join(template, "data", "PG_VERSION"))) return join(template, "data");
  const building = mkdtempSync(`${template}.tmp-`);
  if (asRoot) chownSync(building, ...postgresIds());
  try {
    run(join(bin, "initdb"), ["-D", join(building, "data"), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
    renameSync(building, template);
  } catch (e) {
    rmSync(building, { recursive: true, force: true });
    // Another worker renamed its template first: use that one.
    if (!existsSync(join(template, "data", "PG_VERSION"))) throw e;
  }
  return join(template, "data");
}

/** Starts a throwaway PostgreSQL server with one database. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "mldash-pg-"));
  if (asRoot) chownSync(dir, ...postgresIds());
  const data = join(dir, "data");
  // cp -a keeps the owner (postgres) and the 0700 mode the server insists on.
  execFileSync("cp", ["-a", templateData(bin), data]);
  const password = randomBytes(18).toString("base64url");

  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      // fsync off: a test server's data does not need to survive a power cut.
      const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      run(join(bin, "pg_ctl"), ["-D", data, "-o", opts, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
      break;
    } catch (e) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    spawnSync(asRoot ? "runuser" : join(bin, "pg_ctl"), asRoot ? ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"] : ["-D", data, "-m", "fast", "-w", "stop"]);
    rmSync(dir, { recursive: true, force: true });
  };
  // A worker that ends without calling stop() must not leave a postmaster behind.
  process.once("exit", stopSync);
  try {
    await waitReady(bin, dir, port);
  } catch (e) {
    stopSync();
    throw e;
  }

  // The superuser's password, set over the folder's socket (trusted): TCP needs it from now on.
  const local = postgres({ path: join(dir, `.s.PGSQL.${port}`), user: "postgres", database: "postgres", max: 1, onnotice: () => {} });
  try {
    await local.unsafe(`ALTER USER postgres PASSWORD '${password}'`);
  } finally {
    await local.end();
  }

  const host = "127.0.0.1";
  const user = "postgres";
  const urlFor = (name: string, auth: { user?: string; password?: string } = {}): string =>
    `postgres://${encodeURIComponent(auth.user ?? user)}:${encodeURIComponent(auth.password ?? password)}@${host}:${port}/${encodeURIComponent(name)}`;
  let n = 0;
  const createDatabase = async (name = `db_${process.pid}_${++n}_${randomBytes(3).toString("hex")}`): Promise<string> => {
    const sql = postgres(urlFor("postgres"), { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    } finally {
      await sql.end();
    }
    return urlFor(name);
  };
  const database = options.database ?? "mldash";
  const url = await createDatabase(database);
  return {
    url,
    host,
    port,
    user,
    password,
    database,
    dir,
    createDatabase,
    urlFor,
    stop: async () => {
      process.removeListener("exit", stopSync);
      if (stopped) return;
      await new Promise<void>((resolve) => {
        const [cmd, argv] = asRoot
          ? ["runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"]]
          : [join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]];
        spawn(cmd as string, argv as string[], { stdio: "ignore" }).once("exit", () => resolve());
      });
      stopped = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let ids: [number, number] | undefined;

/** uid and gid of the `postgres` user (made by the Debian package). */
function postgresIds(): [number, number] {
  if (ids) return ids;
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return (ids = [uid, gid]);
}
