/**
 * `ml-dash/dashboard`: the local dashboard as a hono sub-app — a read API under `/dash/api/…`
 * over every run of a {@link RunStore} (by default the `.dash` store over a storage adapter: runs
 * written by this SDK, by ML-Dash Python, or received by the server, one layout), and the UI at
 * `/` (deep links like `/alice/mnist/run-1` serve the same page).
 *
 * Mount it next to the ML-Dash server on the same store
 * (`server.app.route("/", createDashboardApp({ store: server.store }))`) or serve it alone
 * (`serveDashboard` from the Node entry).
 *
 * @example
 * ```ts
 * import { createDashboardApp } from "ml-dash/dashboard";
 * const app = createDashboardApp({ storage: nodeFsAdapter({ root: ".dash" }), assets });  // or { store }
 * Bun.serve({ port: 4780, fetch: app.fetch });
 * ```
 */
import { scrubPaths } from "../internal/scrub.ts";
import { sameSecret } from "../internal/secret.ts";
import { Hono, type Context } from "hono";
import { compress } from "hono/compress";
import { getCookie, setCookie } from "hono/cookie";
import { ConfigurationError, MlDashError, NotFoundError, ValidationError } from "../errors.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import type { ListRunsOptions, RunStore } from "../server/store/index.ts";
import { dashStore } from "../server/stores/dash/index.ts";
import { type AssetSource, MISSING_UI_HTML } from "./assets.ts";
import { dataRoutes } from "./routes-data.ts";
import { runRoutes } from "./routes-runs.ts";
import { tableRoutes } from "./routes-table.ts";

/** Options of {@link createDashboardApp}. */
export interface DashboardOptions {
  /** The storage whose runs are shown (`.dash` layout), through a `dashStore` over it. Give this or `store`. */
  readonly storage?: StorageAdapter | undefined;
  /** The store whose runs are shown (e.g. the one the server writes to). Give this or `storage`. */
  readonly store?: RunStore | undefined;
  /** The built UI files. Without it the API still works and `/` explains how to build the UI. */
  readonly assets?: AssetSource | undefined;
  /**
   * When set, API calls need `Authorization: Bearer <token>` or the cookie that opening
   * `/?token=<token>` once sets (so `<img>` and `<video>` requests are authorised too).
   */
  readonly token?: string | undefined;
  /** More tokens accepted as `token` is (the per-user tokens of `ml-dash serve --users`). */
  readonly tokens?: readonly string[] | undefined;
  /** `Host` headers accepted (e.g. `127.0.0.1:4780`), against DNS rebinding. Default: any. */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Memory budget of the metric column cache, bytes. Default 512 MiB. (With `storage`; a given `store` has its own.) */
  readonly cacheBytes?: number | undefined;
  /**
   * Where the runs live, as the page names it when there are none yet (e.g. the `.dash` folder
   * `ml-dash serve --root` was given). Only shown to callers the token admits.
   */
  readonly rootLabel?: string | undefined;
  /** Status inference and staleness windows. */
  readonly runs?: ListRunsOptions | undefined;
  /**
   * Index the metrics of every run in the background when the app is created (most recently
   * written runs first, up to 80% of `cacheBytes`), as TensorBoard loads its logdir: a big
   * metric then opens at once. Default true; the first request for an unindexed metric scans it.
   */
  readonly prewarm?: boolean | undefined;
  /** Called with unexpected errors (default `console.error`). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

const COOKIE = "ml_dash_token";

/** Whether `given` is one of `tokens` (each compared in full). */
function known(given: string, tokens: readonly string[]): boolean {
  let ok = false;
  for (const t of tokens) if (sameSecret(given, t)) ok = true;
  return ok;
}

function authorized(c: Context, tokens: readonly string[]): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
  const given = m?.[1] ?? getCookie(c, COOKIE);
  return given !== undefined && known(given, tokens);
}

/**
 * Creates the dashboard app: `GET /dash/api/{runs,run,table,series,logs,files,file,track,track-at,dashrc}`
 * and the UI. Mount it at the root of a hono app, after the ML-Dash API.
 *
 * @example
 * ```ts
 * const server = createServer({ storage });
 * server.app.route("/", createDashboardApp({ store: server.store, assets: nodeDashboardAssets() }));
 * ```
 */
export function createDashboardApp(options: DashboardOptions): Hono {
  const store = storeOf(options);
  const runOptions = options.runs ?? {};
  const tokens = [...(options.token !== undefined ? [options.token] : []), ...(options.tokens ?? [])];
  const app = new Hono();
  const report = options.onError ?? ((e: unknown) => console.error("[ml-dash dashboard]", e));
  if (options.prewarm ?? true) {
    void store
      .runs(runOptions)
      .then((runs) => {
        runs.sort((a, b) => (b.lastWriteAt ?? "").localeCompare(a.lastWriteAt ?? ""));
        store.prewarm(runs.filter((r) => Object.keys(r.metrics).length > 0).map((r) => r.path));
      })
      .catch(() => undefined);
  }

  app.use("*", async (c, next) => {
    if (options.allowedHosts && !options.allowedHosts.includes(c.req.header("host") ?? "")) {
      return c.text("Forbidden host: open the dashboard at the address ml-dash serve printed", 403);
    }
    return next();
  });
  // JSON series and the UI's script shrink 3–5× (the first-load budget counts bytes on the wire).
  app.use("*", compress());

  const api = new Hono();
  api.use("*", async (c, next) => {
    if (tokens.length > 0 && !authorized(c, tokens)) {
      return c.json({ error: "Missing or invalid token: open the URL ml-dash serve printed (it carries ?token=…)" }, 401);
    }
    return next();
  });
  api.route("/", runRoutes(store, runOptions, options.rootLabel));
  api.route("/", dataRoutes(store));
  api.route("/", tableRoutes(store, runOptions));
  api.notFound((c) => c.json({ error: `No dashboard route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  api.onError((err, c) => {
    if (err instanceof ValidationError) return c.json({ error: err.message, field: err.field ?? null }, 400);
    if (err instanceof NotFoundError) return c.json({ error: err.message }, 404);
    report(err);
    return c.json({ error: err instanceof MlDashError ? scrubPaths(err.message) : "Internal error" }, 500);
  });
  app.route("/dash/api", api);

  app.get("/dash/ui/:name", async (c) => {
    const asset = await options.assets?.(c.req.param("name"));
    if (!asset) return c.text("Not found", 404);
    return c.body(asset.body as string, 200, {
      "Content-Type": asset.type,
      // Built names carry a content hash, so they never change.
      "Cache-Control": /-[0-9A-Za-z]{6,}\./.test(c.req.param("name")) ? "public, max-age=31536000, immutable" : "no-cache",
    });
  });

  // The page itself, for `/` and every deep link (`/owner/project/…`). The ML-Dash API keeps `/api`.
  app.get("*", async (c) => {
    const path = new URL(c.req.url).pathname;
    if (path === "/api" || path.startsWith("/api/") || path.startsWith("/dash/")) return c.notFound();
    const token = c.req.query("token");
    if (tokens.length > 0 && token !== undefined) {
      if (!known(token, tokens)) return c.text("Invalid token", 401);
      setCookie(c, COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
      return c.redirect(path, 302);
    }
    // A deep link to a run: start indexing its metrics while the browser loads the page.
    const dir = decodeURIComponent(path).replace(/^\/+|\/+$/g, "");
    if (dir && !dir.split("/").some((seg) => seg === ".." || seg === ".")) {
      void store.run(dir).then((run) => run && store.prewarm([run.path]), () => undefined);
    }
    const page = await options.assets?.("index.html");
    return c.html((page?.body as string | undefined) ?? MISSING_UI_HTML, 200, { "Cache-Control": "no-cache" });
  });

  return app;
}

/** The store `options` name: the given one, else a `.dash` store over `storage`. */
function storeOf(options: DashboardOptions): RunStore {
  if (options.store) return options.store;
  if (!options.storage) throw new ConfigurationError('createDashboardApp needs a store or a storage adapter: pass { storage: nodeFsAdapter({ root: ".dash" }) } or { store }');
  return dashStore(options.storage, { cacheBytes: options.cacheBytes });
}

export { listRuns, summarize } from "../server/stores/dash/run-summary.ts";
export { runFolders } from "../layout/run-folders.ts";
export type { RunSummary, DashStatus, ListRunsOptions, SeriesRequest, SeriesResponse, RunStore } from "../server/store/index.ts";
export { dashStore, type DashStore, type DashStoreOptions } from "../server/stores/dash/index.ts";
export { formatRunsTable, listRunsRemote, type FormatOptions } from "./ls.ts";
export { parseDashRc, type DashRc, type DashRcResult, type DashRcIssue, type LineChart, type MediaChart, type SeriesSpec } from "./dashrc.ts";
export { assetsFromMap, type AssetSource, type DashboardAsset } from "./assets.ts";
