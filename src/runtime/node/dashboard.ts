/**
 * `ml-dash/dashboard/node`: the dashboard on Node (and Bun) — the built UI files read from the
 * package folder, and `serveDashboard()` which serves a `.dash` root on `node:http`.
 *
 * `ml-dash serve` mounts the same app next to the ML-Dash API; until then (and for tests)
 * `serveDashboard` runs it alone: `node scripts/dashboard-dev.mjs --root .dash`.
 *
 * @example
 * ```ts
 * import { serveDashboard } from "ml-dash/dashboard/node";
 * const { url } = await serveDashboard({ root: ".dash", port: 4780 });
 * console.log(`dashboard: ${url}`);
 * ```
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { assetType, type AssetSource } from "../../dashboard/assets.ts";
import { createDashboardApp, type DashboardOptions } from "../../dashboard/index.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { fetchListener } from "./http-bridge.ts";

/** The package's root folder: the nearest folder above this module with ml-dash's package.json. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "ml-dash") return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The built UI (`dist/dashboard/ui/`) as an asset source. Files are read once and kept.
 *
 * @example
 * ```ts
 * createDashboardApp({ storage, assets: nodeDashboardAssets() });
 * ```
 */
export function nodeDashboardAssets(dir?: string): AssetSource {
  // Found on first use; a copy of the code outside the package (a bundle) serves no UI files
  // (the app then explains how to build them) rather than failing to start.
  let base: string | null | undefined = dir;
  const cache = new Map<string, Promise<Uint8Array | null>>();
  return async (name) => {
    if (!/^[\w.-]+$/.test(name) || name.startsWith(".")) return null;
    if (base === undefined) {
      const root = packageRoot();
      base = root ? join(root, "dist", "dashboard", "ui") : null;
    }
    if (base === null) return null;
    const from = base;
    let p = cache.get(name);
    if (!p) {
      p = readFile(join(from, name)).then(
        (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
        () => null,
      );
      cache.set(name, p);
    }
    const body = await p;
    if (!body) cache.delete(name);
    return body ? { body: assetType(name).startsWith("text/") ? new TextDecoder().decode(body) : body, type: assetType(name) } : null;
  };
}

/** Options of {@link serveDashboard}. */
export interface ServeDashboardOptions extends Partial<Omit<DashboardOptions, "storage">> {
  /** The `.dash` root to show. Default `.dash`. */
  readonly root?: string;
  /** Or an explicit storage adapter (then `root` is ignored). */
  readonly storage?: StorageAdapter;
  /** Port (0 = any free one). Default 4780. */
  readonly port?: number;
  /** Interface. Default `127.0.0.1` (this machine only). */
  readonly host?: string;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://host:port/` (with `?token=` when a token is set). */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Serves the dashboard of a `.dash` root on Node's http module (loopback only by default).
 *
 * @example
 * ```ts
 * const dash = await serveDashboard({ root: ".dash", port: 0 });
 * console.log(dash.url); await dash.close();
 * ```
 */
export async function serveDashboard(options: ServeDashboardOptions = {}): Promise<DashboardServer> {
  const storage = options.store ? undefined : (options.storage ?? nodeFsAdapter({ root: resolve(options.root ?? ".dash") }));
  const host = options.host ?? "127.0.0.1";
  let allowed: string[] | undefined;
  // The Host check for a loopback server happens below, once the port is known.
  const rootLabel = options.rootLabel ?? (options.store || options.storage ? undefined : resolve(options.root ?? ".dash"));
  const app = createDashboardApp({ ...options, storage, rootLabel, assets: options.assets ?? nodeDashboardAssets() });
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
  const listener = fetchListener(
    (r) => Promise.resolve(app.fetch(r)),
    host,
    (err) => console.error("[ml-dash dashboard]", err),
  );
  const server = createServer((req, res) => {
    if (allowed && !allowed.includes(req.headers.host ?? "")) {
      res.writeHead(403, { "content-type": "text/plain" }).end("Forbidden host");
      return;
    }
    listener(req, res);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 4780, host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  // Loopback servers answer only to their own names (a rebinding page cannot read them).
  if (loopback && !options.allowedHosts) allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    url: `http://${shown}:${port}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ""}`,
    port,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
