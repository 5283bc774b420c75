/**
 * Which namespace a write goes to, so that a per-user token writes only its own (403 otherwise).
 * Reads (GET) are open to every token. The namespace of a write is found from its path: the
 * `{ns}` of `namespaces/{ns}/nodes`, else the first prefix segment of the experiment, node or
 * project it names. A target that does not exist is left to the route (which answers 404).
 */
import type { Context, MiddlewareHandler } from "hono";
import { HttpError } from "./http-error.ts";
import type { Caller } from "./identity.ts";
import type { RunStore } from "./store/index.ts";

const callers = new WeakMap<Request, Caller>();

/** Notes who sent `request` (the auth middleware calls this). */
export function setCaller(request: Request, caller: Caller): void {
  callers.set(request, caller);
}

/** Who sent the request (the anonymous local user when nobody was asked). */
export function callerOf(c: Context): Caller {
  return callers.get(c.req.raw) ?? { username: "local", writesAnywhere: true };
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The namespace a write to `path` (below `/api`) goes to, if it names one that exists. */
export async function writeNamespace(store: RunStore, path: string): Promise<string | undefined> {
  const segs = path.split("/").filter(Boolean).map(decoded);
  const [kind, id] = segs;
  if (id === undefined) return undefined;
  if (kind === "namespaces") return id;
  if (kind === "experiments") return (await store.experiment(id))?.path.split("/")[0];
  if (kind === "projects") return (await store.project(id))?.namespace;
  if (kind === "nodes") {
    const n = await store.node(id);
    if (!n) return undefined;
    if (n.kind === "project") return n.project.namespace;
    if (n.kind === "folder") return n.folder.path.split("/")[0];
    return n.experiment.path.split("/")[0];
  }
  return undefined;
}

/** 403 for a write by a per-user token outside its namespace. `base` is the mount path (`/api`). */
export function namespaceGuard(store: RunStore, base: string): MiddlewareHandler {
  return async (c, next) => {
    const caller = callerOf(c);
    if (caller.writesAnywhere || c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return next();
    const path = c.req.path.startsWith(base) ? c.req.path.slice(base.length) : c.req.path;
    const ns = await writeNamespace(store, path);
    if (ns !== undefined && ns !== caller.username) {
      throw new HttpError(403, `User ${caller.username} may not write to namespace ${JSON.stringify(ns)}: a token writes only its own namespace (${caller.username}/…)`);
    }
    return next();
  };
}
