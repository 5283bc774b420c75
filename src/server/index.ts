/**
 * `ml-dash/server`: an ML-Dash-compatible HTTP server as a plain fetch handler (on hono). It
 * speaks the REST API the ML-Dash Python client calls (under `/api`) over a {@link RunStore}:
 * by default the `.dash` store over any {@link StorageAdapter} (the `.dash` layout), or any other
 * store given as `store`. It runs wherever `fetch` handlers run: Node (`serveNode` from
 * `ml-dash/server/node`, or `ml-dash serve`), Deno (`Deno.serve`), Bun (`Bun.serve`) and Workers.
 *
 * @example
 * ```ts
 * import { createServer } from "ml-dash/server";
 * import { nodeFsAdapter } from "ml-dash/adapters/node-fs";
 * const server = createServer({ storage: nodeFsAdapter({ root: ".dash" }), token: "secret" });
 * // or, with a store shared with the dashboard: createServer({ store: dashStore(storage) })
 * Deno.serve({ port: 3000 }, server.fetch);      // or Bun.serve({ port: 3000, fetch: server.fetch })
 * ```
 */
import { Hono, type MiddlewareHandler } from "hono";
import { DEFAULT_MAX_BODY_BYTES } from "../model/defaults.ts";
import { ConfigurationError } from "../errors.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import type { Sha256 } from "../files/sha256.ts";
import { HttpError, toHttp } from "./http-error.ts";
import { limitBody } from "./body-limit.ts";
import { hostAllowlist, originPolicy, type CorsOrigins } from "./guards.ts";
import { fileRoutes } from "./routes-files.ts";
import { dataRoutes } from "./routes-data.ts";
import { nodeRoutes } from "./routes-nodes.ts";
import type { EncoderPool } from "../backends/local/encoder-pool.ts";
import type { RunStore } from "./store/index.ts";
import { dashStore } from "./stores/dash/index.ts";
import { authenticator, type ServerUser } from "./identity.ts";
import { callerOf, namespaceGuard, setCaller } from "./access.ts";
import { graphqlRoutes } from "./graphql/route.ts";
import { pythonCliRoutes } from "./routes-python-cli.ts";

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Where runs are stored (`.dash` layout): the server keeps them in a `dashStore` over it. Give this or `store`. */
  readonly storage?: StorageAdapter | undefined;
  /** The store of runs (a `dashStore`, or another implementation of {@link RunStore}). Give this or `storage`. */
  readonly store?: RunStore | undefined;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). */
  readonly token?: string | undefined;
  /** The name of `token`'s user (what GraphQL's `me` answers, the namespace it defaults to). Default `local`. */
  readonly user?: string | undefined;
  /**
   * Per-user tokens: a request must carry one of them (or `token`); each reads every run and
   * writes only its own namespace (403 otherwise).
   */
  readonly users?: readonly ServerUser[] | undefined;
  /**
   * Origins allowed to call from a browser (CORS): a list, or a test. Default: none (a request
   * from another origin is 403). `"*"` in the list lets any origin read, never write.
   */
  readonly corsOrigin?: CorsOrigins | undefined;
  /**
   * `Host` headers accepted (e.g. `127.0.0.1:3000`), against DNS rebinding: anything else is
   * 403. Read per request, so the caller may fill the array once the port is known. Default: any.
   */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Largest request body (bytes). Default 64 MiB. */
  readonly maxBodyBytes?: number;
  /** Accept msgpack batches (default true). `false` answers 415 to them, as a JSON-only server does. */
  readonly msgpack?: boolean;
  /** Largest uploaded file (bytes); file uploads stream past `maxBodyBytes`. Default 100 GiB, as Python. (With `storage`; a given `store` has its own.) */
  readonly maxFileBytes?: number;
  /** A native incremental SHA-256 for uploaded files (`ml-dash serve` passes node:crypto's); else a portable one. (With `storage`.) */
  readonly sha256?: () => Sha256;
  /** Called with unexpected errors (default: `console.error`). Never sees the token. */
  readonly onError?: (error: unknown) => void;
  /** Encodes big batches off the request thread (`ml-dash serve` passes the Node worker pool). (With `storage`.) */
  readonly encoder?: EncoderPool | undefined;
}

/** A running server: a fetch handler over its store. */
export interface MlDashServer {
  /** Handles one request. */
  fetch(request: Request): Promise<Response>;
  /** Resolves once the store is ready (the existing tree indexed; requests wait for it too). */
  ready(): Promise<void>;
  /** The underlying hono app (to add routes or middleware). */
  readonly app: Hono;
  /** The store the server reads and writes. */
  readonly store: RunStore;
}

/** The store `options` name: the given one, else a `.dash` store over `storage`. */
function storeOf(options: ServerOptions): RunStore {
  if (options.store) return options.store;
  if (!options.storage) throw new ConfigurationError("createServer needs a store or a storage adapter: pass { storage: nodeFsAdapter({ root: \".dash\" }) } or { store }");
  return dashStore(options.storage, { encoder: options.encoder, sha256: options.sha256, maxFileBytes: options.maxFileBytes });
}

/** Creates the server. Getting the store ready (indexing the existing tree) starts at once. */
export function createServer(options: ServerOptions): MlDashServer {
  const store = storeOf(options);
  const scanned = store.ready();
  scanned.catch(() => undefined);
  const app = new Hono();
  const api = new Hono();

  // Before any route and before the body is read: Host, origin, token.
  app.use("*", hostAllowlist(options.allowedHosts));
  api.use("*", originPolicy(options.corsOrigin));
  const authenticate = authenticator(options);
  const auth: MiddlewareHandler = async (c, next) => {
    if (c.req.method === "OPTIONS") return next();
    const who = authenticate(c.req.header("authorization"));
    if (!who.ok) return c.json({ error: who.error }, 401, { "WWW-Authenticate": "Bearer" });
    setCaller(c.req.raw, who.caller);
    await scanned;
    return next();
  };
  api.use("*", auth);
  api.use("*", namespaceGuard(store, "/api"));
  // File uploads are streamed to storage and bounded by maxFileBytes instead.
  api.use("*", limitBody(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, (c) => (c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/")));
  api.route("/", fileRoutes(store));
  api.route("/", nodeRoutes(store));
  api.route("/", dataRoutes(store, { msgpack: options.msgpack ?? true }));
  api.route("/", pythonCliRoutes(store));
  api.notFound((c) => c.json({ error: `No route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  api.onError((err, c) => {
    // A body nested deeper than the stack: the client's mistake, one 400 and no stack trace in the log.
    if (err instanceof RangeError && /call stack/i.test(err.message)) return c.json({ error: "The body is nested too deeply: send plain records of a few levels" }, 400);
    const { status, body } = toHttp(err);
    if (status >= 500 && !(err instanceof HttpError)) (options.onError ?? ((e) => console.error("[ml-dash server]", e)))(err);
    return c.json(body, status as 400);
  });
  app.route("/api", api);
  // GraphQL: the same origin policy, auth and body limit as /api (reads only: it has no mutations).
  const gql = new Hono();
  gql.use("*", originPolicy(options.corsOrigin));
  gql.use("*", auth);
  gql.use("*", limitBody(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, () => false));
  gql.route("/", graphqlRoutes(store, callerOf));
  gql.onError((err, c) => {
    (options.onError ?? ((e) => console.error("[ml-dash server]", e)))(err);
    return c.json({ errors: [{ message: toHttp(err).body["error"] }] }, 500);
  });
  app.route("/graphql", gql);
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    // Sub-apps' notFound is not called for paths that match none of their routes: word it here.
    if (path === "/api" || path.startsWith("/api/")) return c.json({ error: `No route ${c.req.method} ${path} in the ML-Dash API` }, 404);
    return c.json({ error: "Not found: the ML-Dash API is under /api" }, 404);
  });

  return {
    app,
    store,
    ready: () => scanned,
    fetch: async (request) => app.fetch(request),
  };
}

export type { CorsOrigins } from "./guards.ts";
export { Registry } from "./stores/dash/registry.ts";
export { dashStore, type DashStore, type DashStoreOptions } from "./stores/dash/index.ts";
export type {
  AppendOptions,
  Appended,
  DashStatus,
  ExperimentQuery,
  ExperimentRecord,
  ExperimentRef,
  FileBody,
  FileFolderRecord,
  FileRecord,
  FolderRecord,
  ListRunsOptions,
  LogPage,
  LogQuery,
  MetricInfo,
  NodeRecord,
  ParamsRecord,
  ProjectRecord,
  RunFile,
  RunOverview,
  RunStore,
  RunStoreFiles,
  RunStoreNodes,
  RunStoreParams,
  RunStoreReads,
  RunStoreStreams,
  RunSummary,
  SeriesPoints,
  SeriesRequest,
  SeriesResponse,
  SeriesSource,
  StreamPosition,
  TrackAt,
  TrackInfo,
  TrackSample,
  TrackSource,
} from "./store/index.ts";
export { batchLength, bucketWidth, inferStatus } from "./store/index.ts";
