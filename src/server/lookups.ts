/**
 * Finding what a request names: the experiment of an id (or a 404 that says how to create it),
 * and the node of `nodes/{id}`, looked up once per request even when several routes look at it.
 */
import type { Context } from "hono";
import { HttpError } from "./http-error.ts";
import type { RunStore } from "./store/index.ts";
import type { ExperimentRef, NodeRecord } from "./store/records.ts";

/** The experiment `id`; 404 (with `extra`, e.g. the field that named it) when the store has none. */
export async function experimentOf(store: RunStore, id: string, extra: Record<string, unknown> = {}): Promise<ExperimentRef> {
  const e = await store.experiment(id);
  if (!e) throw new HttpError(404, `Experiment ${JSON.stringify(id)} not found; create it with POST /api/namespaces/{namespace}/nodes (type EXPERIMENT)`, extra);
  return e;
}

const nodes = new WeakMap<Request, Promise<NodeRecord | undefined>>();

/** The node `:id` of the request names (memoised for the request). */
export function nodeOf(store: RunStore, c: Context): Promise<NodeRecord | undefined> {
  let p = nodes.get(c.req.raw);
  if (!p) {
    p = store.node(c.req.param("id") as string);
    nodes.set(c.req.raw, p);
  }
  return p;
}
