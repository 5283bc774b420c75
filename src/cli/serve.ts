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
import { intOption, type CommandSpec } from "./command.ts";

/** The `serve` command. */
export const serveCommand: CommandSpec = {
  name: "serve",
  summary: "Serve the runs of a .dash root over the ML-Dash API (at /api) and the dashboard (at /)",
  description: `With --token, every request must send "Authorization: Bearer TOKEN" (the dashboard's printed URL carries it once).`,
  options: {
    root: { type: "string", value: "DIR", help: "The .dash root to serve", default: ".dash" },
    port: { type: "string", value: "PORT", help: "Port to listen on (0 = any free port)", default: "3000", parse: intOption(0, 65535) },
    host: { type: "string", value: "HOST", help: "Interface to listen on", default: "127.0.0.1" },
    token: { type: "string", value: "TOKEN", help: "Require this bearer token on every request" },
  },
  run: (values) => serve({ root: values["root"] as string, port: values["port"] as number, host: values["host"] as string, token: values["token"] as string | undefined }),
};

/** Options of `ml-dash serve`. */
export interface ServeOptions {
  readonly root: string;
  readonly port: number;
  readonly host: string;
  readonly token?: string | undefined;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** Starts the server and runs until SIGINT/SIGTERM. */
export async function serve(o: ServeOptions): Promise<number> {
  const root = resolve(o.root);
  // One store for the API and the dashboard: one index of the tree, one set of caches.
  const store = dashStore(nodeFsAdapter({ root }), { sha256: nodeSha256, encoder: encoderPoolFor(nodeRuntime) });
  const server = createServer({ store, token: o.token });
  // The dashboard: its API under /dash/api, the page at / (the ML-Dash API keeps /api). On a
  // loopback address it answers only to its own host names (a DNS-rebinding page cannot read it).
  const hosts = LOOPBACK.has(o.host) && o.port !== 0 ? [`127.0.0.1:${o.port}`, `localhost:${o.port}`, `[::1]:${o.port}`] : undefined;
  server.app.route("/", createDashboardApp({ store, token: o.token, assets: nodeDashboardAssets(), allowedHosts: hosts, rootLabel: root }));
  await server.ready();
  const running = await serveNode(server, { port: o.port, hostname: o.host });
  const runs = (await store.experiments()).length;
  console.log(`ml-dash dashboard: ${running.url}/${o.token ? `?token=${encodeURIComponent(o.token)}` : ""}`);
  console.log(`ml-dash server: ${running.url}/api over ${root} (${runs} run${runs === 1 ? "" : "s"}; ${o.token ? "bearer token required" : "no token required"})`);
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
