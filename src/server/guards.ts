/**
 * The checks every request to the server passes before any route (and before its body is
 * read): the `Host` allowlist against DNS rebinding, the browser origins allowed (CORS, and a
 * 403 for a foreign origin's request, which a "simple" cross-origin POST would otherwise get
 * through), and the bearer token.
 */
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { sameSecret } from "../internal/secret.ts";

/** Origins allowed to call from a browser: a list (`"*"` in it = any origin, for reads only), or a test. */
export type CorsOrigins = string | readonly string[] | ((origin: string) => boolean);

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Middleware: 403 unless the `Host` header is one of `allowed` (read per request, so it may be filled once the port is known). */
export function hostAllowlist(allowed: readonly string[] | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (allowed && !allowed.includes(c.req.header("host") ?? "")) {
      return c.json({ error: "Forbidden host: use the address ml-dash serve printed (this server answers only to its own names)" }, 403);
    }
    return next();
  };
}

/** Whether `origin` may write (not just read). */
function mayWrite(origin: string, allowed: CorsOrigins): boolean {
  if (typeof allowed === "function") return allowed(origin);
  return (typeof allowed === "string" ? [allowed] : allowed).includes(origin);
}

/** Whether a request's `Origin` may use the server (its own, or one allowed for this method; `"*"` allows reads). */
function originAllowed(c: Context, origin: string, allowed: CorsOrigins | undefined): boolean {
  if (origin === new URL(c.req.url).origin) return true;
  if (allowed === undefined) return false;
  if (mayWrite(origin, allowed)) return true;
  const list = typeof allowed === "string" ? [allowed] : typeof allowed === "function" ? [] : allowed;
  return list.includes("*") && READS.has(c.req.method);
}

const WRITES = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"];

/**
 * Middleware: CORS headers for the allowed origins only (none by default; `"*"` allows reads
 * from anywhere and never writes), and a 403 for a request from any other origin.
 */
export function originPolicy(allowed: CorsOrigins | undefined): MiddlewareHandler {
  const headers =
    allowed === undefined
      ? undefined
      : cors({
          origin: (origin, c) => (originAllowed(c, origin, allowed) ? origin : null),
          allowMethods: (origin) => (mayWrite(origin, allowed) ? WRITES : ["GET", "HEAD", "OPTIONS"]),
          allowHeaders: ["Authorization", "Content-Type", "Accept", "Idempotency-Key", "ML-Dash-Writer"],
          exposeHeaders: ["Retry-After", "Content-Type", "Content-Disposition", "Content-Length", "ETag"],
          maxAge: 600,
        });
  return async (c, next) => {
    const origin = c.req.header("origin");
    // A preflight is answered (without allow headers for a foreign origin, so the browser stops there).
    if (origin !== undefined && c.req.method !== "OPTIONS" && !originAllowed(c, origin, allowed)) return forbidden(c, origin);
    return headers ? headers(c, next) : next();
  };
}

function forbidden(c: Context, origin: string): Response {
  return c.json({ error: `Requests from the origin ${JSON.stringify(origin)} are not allowed: start the server with --cors-origin ${origin} to allow it` }, 403);
}

/** Middleware: 401 unless the request carries `Authorization: Bearer <token>` (when a token is set). */
export function bearerAuth(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) return next();
    const m = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
    if (!m || !sameSecret(m[1] as string, token)) {
      return c.json({ error: m ? "Invalid bearer token" : "Missing bearer token: send Authorization: Bearer <token>" }, 401, { "WWW-Authenticate": "Bearer" });
    }
    return next();
  };
}
