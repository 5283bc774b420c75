/**
 * The REST routes of an ML-Dash server, written once for both sides: the SDK's client builds
 * request paths with `route.path({...})`, and `ml-dash serve` registers its handlers with
 * `route.pattern` (hono's `:param` syntax). Paths are relative to `<dashUrl>/api/`, as ML-Dash
 * Python's client joins them; every parameter is percent-encoded.
 *
 * @example
 * ```ts
 * routes.metricStats.path({ id: "42", name: "train" })   // "experiments/42/metrics/train/stats"
 * app.get(routes.metricStats.pattern, handler)            // "/experiments/:id/metrics/:name/stats"
 * ```
 */

/** HTTP methods the API uses. */
export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** The `:name` parameters of a pattern, as a union of names. */
export type RouteParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | RouteParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** One route: its method, its hono pattern, and a builder of request paths. */
export interface Route<P extends string> {
  readonly method: Method;
  /** The hono pattern, e.g. `/experiments/:id/logs`. */
  readonly pattern: P;
  /** The request path for these parameters, without a leading slash (relative to `/api/`). */
  path(params: Record<RouteParams<P>, string | number>): string;
}

function route<P extends string>(method: Method, pattern: P): Route<P> {
  return {
    method,
    pattern,
    path(params) {
      return pattern.slice(1).replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(String((params as Record<string, string | number>)[name])));
    },
  };
}

/** Every REST route the SDK calls or the server answers. */
export const routes = {
  /** Upsert a project, folder or experiment (JSON), or upload a file (multipart). */
  createNode: route("POST", "/namespaces/:ns/nodes"),
  getNode: route("GET", "/nodes/:id"),
  /** The run status (experiment nodes) or a file's description, tags and metadata. */
  updateNode: route("PATCH", "/nodes/:id"),
  /** Soft-deletes a file node. */
  deleteNode: route("DELETE", "/nodes/:id"),
  downloadNode: route("GET", "/nodes/:id/download"),
  searchFiles: route("GET", "/search/files"),

  listExperiments: route("GET", "/experiments"),
  getExperiment: route("GET", "/experiments/:id"),
  /**
   * Makes what the server acknowledged of a run durable against power loss (ours: the store's
   * fsync; ML-Dash's own server has no such route and answers 404). `exp.flush()` calls it.
   */
  syncExperiment: route("POST", "/experiments/:id/sync"),
  listFiles: route("GET", "/experiments/:id/files"),

  appendLogs: route("POST", "/experiments/:id/logs"),
  readLogs: route("GET", "/experiments/:id/logs"),

  writeParams: route("POST", "/experiments/:id/parameters"),
  readParams: route("GET", "/experiments/:id/parameters"),

  listMetrics: route("GET", "/experiments/:id/metrics"),
  appendMetricBatch: route("POST", "/experiments/:id/metrics/:name/append-batch"),
  appendMetric: route("POST", "/experiments/:id/metrics/:name/append"),
  readMetric: route("GET", "/experiments/:id/metrics/:name/data"),
  metricStats: route("GET", "/experiments/:id/metrics/:name/stats"),

  listTracks: route("GET", "/experiments/:id/tracks"),
  appendTrackBatch: route("POST", "/experiments/:id/tracks/:topic/append_batch"),
  readTrack: route("GET", "/experiments/:id/tracks/:topic/data"),

  /** ML-Dash's GraphQL endpoint, beside `/api` (at the server's root), as Python's client calls it. */
  graphql: route("POST", "/../graphql"),
} as const;

/** One request's method and path (relative to `/api/`), as {@link target} builds it from a route. */
export interface RouteTarget {
  readonly method: Method;
  readonly path: string;
}

/** The request to `route` with `params` (what the SDK's client sends). */
export function target<P extends string>(route: Route<P>, params: Record<RouteParams<P>, string | number>): RouteTarget {
  return { method: route.method, path: route.path(params) };
}

/** The name of the unnamed metric in paths and on disk, as Python spells it. */
export const UNNAMED_METRIC = "None";
