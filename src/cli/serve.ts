/** `ml-dash serve`: the ML-Dash server and the dashboard over one `.dash` store, on Node's http module. */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { nodeSha256 } from "../runtime/node/files.ts";
import { encoderPoolFor } from "../backends/local/encoder-pool.ts";
import { serverEncoders } from "../runtime/node/encoder.ts";
import { createServer } from "../server/index.ts";
import { dashStore } from "../server/stores/dash/index.ts";
import { serveNode } from "../runtime/node/serve.ts";
import { createDashboardApp } from "../dashboard/index.ts";
import { nodeDashboardAssets } from "../runtime/node/dashboard.ts";
import { checkUsers, type ServerUser } from "../server/identity.ts";
import { intOption, UsageError, type CommandSpec } from "./command.ts";
import { checkTeam, openTeamStore, startHousekeeping, teamDurabilityWarning, teamTarget, type TeamTarget } from "./serve-team.ts";
import type { RunStore } from "../server/store/index.ts";

/** The `serve` command. */
export const serveCommand: CommandSpec = {
  name: "serve",
  summary: "Serve the runs of a .dash root over the ML-Dash API (at /api) and the dashboard (at /)",
  description: `With a token (ML_DASH_TOKEN, --token-file, or --token), every request must send "Authorization: Bearer TOKEN"; open the dashboard once with ?token=TOKEN to sign in. A non-loopback --host needs a token, or --insecure. See the README's "Security" section.

The team server: --store postgres://user:password@host:5432/db --blobs s3://bucket/prefix keeps runs in PostgreSQL and S3-compatible storage instead of a .dash folder, so any number of serve processes share them. PostgreSQL settings missing from the URL come from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE; S3 credentials and endpoint from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL (path-style addressing when an endpoint is set). Schema migrations run at start. --check tries both and exits.`,
  options: {
    root: { type: "string", value: "DIR", help: "The .dash root to serve", default: ".dash" },
    port: { type: "string", value: "PORT", help: "Port to listen on (0 = any free port)", default: "3000", parse: intOption(0, 65535) },
    host: { type: "string", value: "HOST", help: "Interface to listen on", default: "127.0.0.1" },
    "token-file": { type: "string", value: "FILE", help: "Require the bearer token read from FILE (its first line)" },
    token: { type: "string", value: "TOKEN", help: "Require this bearer token (visible in ps: prefer ML_DASH_TOKEN or --token-file)" },
    "cors-origin": { type: "string", value: "ORIGIN", multiple: true, help: "Let a web page at ORIGIN (e.g. https://app.example) call the API (repeatable; \"*\" = any origin, reads only)" },
    "allowed-host": { type: "string", value: "HOST:PORT", multiple: true, help: "Answer only to this Host header (repeatable; a loopback server always answers only to its own names)" },
    user: { type: "string", value: "NAME", help: "The user the server token stands for (GraphQL's me; default $USER)" },
    users: { type: "string", value: "FILE", help: 'Per-user tokens: a JSON list [{"username": "alice", "token": "..."}]; each token reads all runs and writes only its own namespace' },
    insecure: { type: "boolean", help: "Allow a non-loopback --host without a token (anyone who reaches the port can read and write runs)" },
    store: { type: "string", value: "URL", help: "Keep runs in PostgreSQL (postgres://…; with --blobs) instead of a .dash root" },
    blobs: { type: "string", value: "S3URL", help: "Keep sealed chunks and files in S3 (s3://bucket/prefix; with --store)" },
    check: { type: "boolean", help: "Check that --store and --blobs are reachable and usable, then exit" },
  },
  run: async (values) => {
    const team = teamTarget(values["store"] as string | undefined, values["blobs"] as string | undefined);
    if (values["check"] === true) {
      if (!team) throw new UsageError("--check checks a team store: give --store and --blobs");
      return checkTeam(team, process.env, { out: (t) => console.log(t), err: (t) => console.error(t) });
    }
    return serve({
      root: values["root"] as string,
      port: values["port"] as number,
      host: values["host"] as string,
      token: tokenOf(values["token"] as string | undefined, values["token-file"] as string | undefined, process.env["ML_DASH_TOKEN"]),
      corsOrigins: (values["cors-origin"] as string[] | undefined) ?? [],
      allowedHosts: (values["allowed-host"] as string[] | undefined) ?? [],
      insecure: values["insecure"] === true,
      user: values["user"] as string | undefined,
      users: values["users"] as string | undefined,
      team,
    });
  },
};

/** The token: from `--token`, `--token-file` or `ML_DASH_TOKEN` (one source only; an empty one is an error). */
export function tokenOf(flag: string | undefined, file: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined && file !== undefined) throw new UsageError("Give the token once: --token or --token-file, not both");
  let token = flag;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new UsageError(`--token-file ${JSON.stringify(file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    token = text.split(/\r?\n/)[0]?.trim() ?? "";
    if (token === "") throw new UsageError(`--token-file ${JSON.stringify(file)} is empty: put the token on its first line`);
  }
  if (token === undefined && env !== undefined && env.trim() !== "") token = env.trim();
  if (token !== undefined && token.trim() === "") throw new UsageError("The token is empty");
  return token;
}

/** Options of `ml-dash serve`. */
export interface ServeOptions {
  readonly root: string;
  readonly port: number;
  readonly host: string;
  readonly token?: string | undefined;
  /** Origins allowed to call the API from a browser. */
  readonly corsOrigins?: readonly string[];
  /** Host headers accepted besides a loopback server's own names. */
  readonly allowedHosts?: readonly string[];
  /** Allow a non-loopback host without a token. */
  readonly insecure?: boolean;
  /** The name of `token`'s user. */
  readonly user?: string | undefined;
  /** A JSON file of per-user tokens. */
  readonly users?: string | undefined;
  /** Serve a team store (PostgreSQL + S3) instead of the `.dash` root. */
  readonly team?: TeamTarget | undefined;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** The users of a `--users` file (a JSON list, or `{"users": [...]}`); a clear error naming the file otherwise. */
export function readUsers(file: string): ServerUser[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(resolve(file), "utf8"));
  } catch (err) {
    throw new UsageError(`--users ${file}: ${err instanceof SyntaxError ? "not JSON" : "cannot be read"} (${(err as Error).message.split("\n")[0]})`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { users?: unknown } | null)?.users;
  if (!Array.isArray(list) || list.length === 0) throw new UsageError(`--users ${file}: expected a list of {"username": "...", "token": "..."}`);
  try {
    checkUsers(list as ServerUser[]);
  } catch (err) {
    throw new UsageError(`--users ${file}: ${(err as Error).message}`);
  }
  return list as ServerUser[];
}

/**
 * What the server answered is fsynced within this time (ms), besides at once on a run's status,
 * a sync request and shutdown: a client that never asks (ML-Dash Python mid-run) loses at most
 * that much to a power cut. The cost: ~20 ms of a libuv thread per 70 MB written.
 */
const SYNC_WITHIN_MS = 1000;

/** Starts the server and runs until SIGINT/SIGTERM. */
export async function serve(o: ServeOptions): Promise<number> {
  const loopback = LOOPBACK.has(o.host);
  const users = o.users === undefined ? undefined : readUsers(o.users);
  if (!o.token && !users && !loopback && !o.insecure) {
    console.error(`ml-dash serve: refusing to listen on ${o.host} without a token: anyone who can reach the port could read and write runs. Set ML_DASH_TOKEN (or --token-file), or pass --insecure to do it anyway.`);
    return 2;
  }
  const root = resolve(o.root);
  // A mistyped --root would otherwise look like an empty server: say so (uploads create it).
  const missing = !o.team && !existsSync(root);
  // One store for the API and the dashboard: one index of the tree, one set of caches.
  const team = o.team ? openTeamStore(o.team, process.env) : undefined;
  const store: RunStore = team ?? dashStore(nodeFsAdapter({ root, syncWithinMs: SYNC_WITHIN_MS }), { sha256: nodeSha256, encoder: encoderPoolFor(serverEncoders) });
  // The Host allowlist (against DNS rebinding), filled once the port is known (also with --port 0).
  const hosts: string[] | undefined = loopback || (o.allowedHosts?.length ?? 0) > 0 ? [...(o.allowedHosts ?? [])] : undefined;
  const server = createServer({ store, token: o.token, user: o.user ?? process.env["USER"] ?? "local", users, allowedHosts: hosts, corsOrigin: o.corsOrigins?.length ? o.corsOrigins : undefined });
  // The dashboard: its API under /dash/api, the page at / (the ML-Dash API keeps /api).
  server.app.route("/", createDashboardApp({ store, token: o.token, tokens: users?.map((u) => u.token), assets: nodeDashboardAssets(), allowedHosts: hosts, rootLabel: o.team ? undefined : root }));
  try {
    await server.ready();
  } catch (e) {
    // A team store that cannot start (PostgreSQL or migrations) must not keep its pool open.
    await store.close().catch(() => undefined);
    throw e;
  }
  const running = await serveNode(server, { port: o.port, hostname: o.host });
  // A team store kept for years: old idempotency keys and unreferenced objects go, hourly.
  const housekeeping = team ? startHousekeeping(team) : undefined;
  if (hosts && loopback) hosts.push(`127.0.0.1:${running.port}`, `localhost:${running.port}`, `[::1]:${running.port}`);
  // Signals are handled before the start-up lines are printed: whoever reacts to those lines (a
  // supervisor, a test) and stops the server gets a clean close, not a kill mid-start.
  const stopped = new Promise<void>((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void running.close().then(() => housekeeping?.stop()).then(() => store.close()).then(done);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  const runs = (await store.experiments()).length;
  // No secret on the console (terminals are logged and shared): the token stays where it came from.
  const auth = users ? `${users.length} user token${users.length === 1 ? "" : "s"}${o.token ? " and the server token" : ""}` : o.token ? "bearer token required" : "no token required";
  console.log(`ml-dash dashboard: ${running.url}/${o.token || users ? " (sign in once with ?token=<your token>)" : ""}`);
  console.log(`ml-dash server: ${running.url}/api over ${o.team ? `${o.team.blobs} + PostgreSQL` : root} (${runs} run${runs === 1 ? "" : "s"}; ${auth})`);
  const unsafe = team ? await teamDurabilityWarning(team) : undefined;
  if (unsafe) console.warn(`warning: ${unsafe}`);
  if (missing) console.log(`note: ${root} does not exist yet: it is created when the first run is written (check --root if you meant to serve existing runs)`);
  if (!o.token && !users && !loopback) {
    console.warn(`warning: listening on ${o.host} without a token (--insecure): anyone who can reach this port can read and write runs`);
  }
  await stopped;
  return 0;
}
