/**
 * `ml-dash/server`: an ML-Dash-compatible HTTP server as a plain fetch handler (on hono). It
 * speaks the REST API the ML-Dash Python client calls (under `/api`), stores through any
 * {@link StorageAdapter} in the `.dash` layout, and runs wherever `fetch` handlers run: Node
 * (`serveNode` from `ml-dash/server/node`, or `ml-dash serve`), Deno (`Deno.serve`), Bun
 * (`Bun.serve`) and Workers.
 *
 * @example
 * ```ts
 * import { createServer } from "ml-dash/server";
 * import { nodeFsAdapter } from "ml-dash/adapters/node-fs";
 * const server = createServer({ storage: nodeFsAdapter({ root: ".dash" }), token: "secret" });
 * Deno.serve({ port: 3000 }, server.fetch);      // or Bun.serve({ port: 3000, fetch: server.fetch })
 * ```
 */
import { Hono } from "hono";
import { DEFAULT_MAX_BODY_BYTES } from "../model/defaults.ts";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { StorageAdapter } from "../storage/contract.ts";
import type { Sha256 } from "../files/sha256.ts";
import { ServerFiles } from "./file-index.ts";
import { HttpError, toHttp } from "./http-error.ts";
import { fileRoutes } from "./routes-files.ts";
import { Registry } from "./registry.ts";
import { dataRoutes } from "./routes-data.ts";
import { nodeRoutes } from "./routes-nodes.ts";
import type { EncoderPool } from "../backends/local/encoder-pool.ts";

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Where runs are stored (`.dash` layout). */
  readonly storage: StorageAdapter;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). */
  readonly token?: string | undefined;
  /** Origins allowed to call from a browser (CORS). Default `"*"`. */
  readonly corsOrigin?: string | readonly string[];
  /** Largest request body (bytes). Default 64 MiB. */
  readonly maxBodyBytes?: number;
  /** Accept msgpack batches (default true). `false` answers 415 to them, as a JSON-only server does. */
  readonly msgpack?: boolean;
  /** Largest uploaded file (bytes); file uploads stream past `maxBodyBytes`. Default 100 GiB, as Python. */
  readonly maxFileBytes?: number;
  /** A native incremental SHA-256 for uploaded files (`ml-dash serve` passes node:crypto's); else a portable one. */
  readonly sha256?: () => Sha256;
  /** Called with unexpected errors (default: `console.error`). Never sees the token. */
  readonly onError?: (error: unknown) => void;
  /** Encodes big batches off the request thread (`ml-dash serve` passes the Node worker pool). */
  readonly encoder?: EncoderPool | undefined;
}

/** A running server: a fetch handler plus its index. */
export interface MlDashServer {
  /** Handles one request. */
  fetch(request: Request): Promise<Response>;
  /** Resolves once the existing tree has been indexed (requests wait for it too). */
  ready(): Promise<void>;
  /** The underlying hono app (to add routes or middleware). */
  readonly app: Hono;
}

/** Compares without an early exit, so the time taken says nothing about where a guess went wrong. */
function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Creates the server. Indexing the existing tree starts at once. */
export function createServer(options: ServerOptions): MlDashServer {
  const registry = new Registry(options.storage, options.encoder);
  const files = new ServerFiles(registry, { sha256: options.sha256, maxFileBytes: options.maxFileBytes });
  const scanned = registry.scan();
  scanned.catch(() => undefined);
  const app = new Hono();
  const api = new Hono();

  api.use(
    "*",
    cors({
      origin: (options.corsOrigin ?? "*") as string | string[],
      allowMethods: ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "Accept", "Idempotency-Key"],
      exposeHeaders: ["Retry-After", "Content-Type", "Content-Disposition", "Content-Length", "ETag"],
      maxAge: 600,
    }),
  );
  api.use("*", async (c, next) => {
    if (options.token !== undefined) {
      const header = c.req.header("authorization") ?? "";
      const m = /^Bearer\s+(.+)$/i.exec(header);
      if (!m || !sameSecret(m[1] as string, options.token)) {
        return c.json({ error: m ? "Invalid bearer token" : "Missing bearer token: send Authorization: Bearer <token>" }, 401, { "WWW-Authenticate": "Bearer" });
      }
    }
    await scanned;
    return next();
  });
  const limit = bodyLimit({
    maxSize: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    onError: (c) => c.json({ error: `Request body too large (limit ${options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes): send smaller batches` }, 413),
  });
  // File uploads are streamed to storage and bounded by maxFileBytes instead.
  api.use("*", (c, next) => ((c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/") ? next() : limit(c, next)));
  api.route("/", fileRoutes(registry, files));
  api.route("/", nodeRoutes(registry, files));
  api.route("/", dataRoutes(registry, { msgpack: options.msgpack ?? true }));
  api.notFound((c) => c.json({ error: `No route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  api.onError((err, c) => {
    const { status, body } = toHttp(err);
    if (status >= 500 && !(err instanceof HttpError)) (options.onError ?? ((e) => console.error("[ml-dash server]", e)))(err);
    return c.json(body, status as 400);
  });
  app.route("/api", api);
  app.notFound((c) => c.json({ error: "Not found: the ML-Dash API is under /api" }, 404));

  return {
    app,
    ready: () => scanned,
    fetch: async (request) => app.fetch(request),
  };
}

export { Registry } from "./registry.ts";
