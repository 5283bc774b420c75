/** `ml-dash serve`: the ML-Dash server and the dashboard over one `.dash` store, on Node's http module. */
import { resolve } from "node:path";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { nodeSha256 } from "../runtime/node/files.ts";
import { encoderPoolFor } from "../backends/local/encoder-pool.ts";
import { nodeRuntime } from "../runtime/node/entry.ts";
import { createServer } from "../server/index.ts";
import { dashStore } from "../server/stores/dash/index.ts";
import { serveNode } from "../runtime/node/serve.ts";
import { createDashboardApp } from "../dashboard/index.ts";
import { nodeDashboardAssets } from "../runtime/node/dashboard.ts";
import { intOption, UsageError, type CommandSpec } from "./command.ts";
import { checkTeam, openTeamStore, teamTarget, type TeamTarget } from "./serve-team.ts";
import type { RunStore } from "../server/store/index.ts";

/** The `serve` command. */
export const serveCommand: CommandSpec = {
  name: "serve",
  summary: "Serve the runs of a .dash root over the ML-Dash API (at /api) and the dashboard (at /)",
  description: `With --token, every request must send "Authorization: Bearer TOKEN" (the dashboard's printed URL carries it once).

The team server: --store postgres://user:password@host:5432/db --blobs s3://bucket/prefix keeps runs in PostgreSQL and S3-compatible storage instead of a .dash folder, so any number of serve processes share them. PostgreSQL settings missing from the URL come from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE; S3 credentials and endpoint from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL (path-style addressing when an endpoint is set). Schema migrations run at start. --check tries both and exits.`,
  options: {
    root: { type: "string", value: "DIR", help: "The .dash root to serve", default: ".dash" },
    port: { type: "string", value: "PORT", help: "Port to listen on (0 = any free port)", default: "3000", parse: intOption(0, 65535) },
    host: { type: "string", value: "HOST", help: "Interface to listen on", default: "127.0.0.1" },
    token: { type: "string", value: "TOKEN", help: "Require this bearer token on every request" },
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
    return serve({ root: values["root"] as string, port: values["port"] as number, host: values["host"] as string, token: values["token"] as string | undefined, team });
  },
};

/** Options of `ml-dash serve`. */
export interface ServeOptions {
  readonly root: string;
  readonly port: number;
  readonly host: string;
  readonly token?: string | undefined;
  /** Serve a team store (PostgreSQL + S3) instead of the `.dash` root. */
  readonly team?: TeamTarget | undefined;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** Starts the server and runs until SIGINT/SIGTERM. */
export async function serve(o: ServeOptions): Promise<number> {
  const root = resolve(o.root);
  // One store for the API and the dashboard: one index of the tree, one set of caches.
  const store: RunStore = o.team ? openTeamStore(o.team, process.env) : dashStore(nodeFsAdapter({ root }), { sha256: nodeSha256, encoder: encoderPoolFor(nodeRuntime) });
  const server = createServer({ store, token: o.token });
  // The dashboard: its API under /dash/api, the page at / (the ML-Dash API keeps /api). On a
  // loopback address it answers only to its own host names (a DNS-rebinding page cannot read it).
  const hosts = LOOPBACK.has(o.host) && o.port !== 0 ? [`127.0.0.1:${o.port}`, `localhost:${o.port}`, `[::1]:${o.port}`] : undefined;
  server.app.route("/", createDashboardApp({ store, token: o.token, assets: nodeDashboardAssets(), allowedHosts: hosts }));
  try {
    await server.ready();
  } catch (e) {
    // A team store that cannot start (PostgreSQL or migrations) must not keep its pool open.
    await store.close().catch(() => undefined);
    throw e;
  }
  const running = await serveNode(server, { port: o.port, hostname: o.host });
  const runs = (await store.experiments()).length;
  console.log(`ml-dash dashboard: ${running.url}/${o.token ? `?token=${encodeURIComponent(o.token)}` : ""}`);
  console.log(`ml-dash server: ${running.url}/api over ${o.team ? `${o.team.blobs} + PostgreSQL` : root} (${runs} run${runs === 1 ? "" : "s"}; ${o.token ? "bearer token required" : "no token required"})`);
  if (!o.token && !LOOPBACK.has(o.host)) {
    console.warn(`warning: listening on ${o.host} without --token: anyone who can reach this port can read and write runs`);
  }
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void running.close().then(() => store.close()).then(done);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return 0;
}
