/** Raw HTTP helpers for talking to the server the way any client (Python's included) would. */
import { decode, encode } from "@msgpack/msgpack";

/** An answer: status, parsed body (JSON or msgpack), headers. */
export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** Options of {@link call}. */
export interface CallOptions {
  readonly token?: string | null;
  readonly json?: unknown;
  readonly msgpack?: unknown;
  readonly body?: BodyInit;
  readonly contentType?: string;
  readonly accept?: string;
  readonly headers?: Record<string, string>;
}

/** `method <base>/api/<path>` with a bearer token (default "secret"; null = none). */
export async function call<T = Record<string, unknown>>(base: string, method: string, path: string, o: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...o.headers };
  const token = o.token === undefined ? "secret" : o.token;
  if (token !== null) headers["authorization"] = `Bearer ${token}`;
  let body = o.body;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers["content-type"] = "application/json";
  } else if (o.msgpack !== undefined) {
    body = encode(o.msgpack) as BodyInit;
    headers["content-type"] = "application/msgpack";
  }
  if (o.contentType) headers["content-type"] = o.contentType;
  if (o.accept) headers["accept"] = o.accept;
  const res = await fetch(`${base}/api/${path}`, body === undefined ? { method, headers } : { method, headers, body });
  const type = res.headers.get("content-type") ?? "";
  const raw = new Uint8Array(await res.arrayBuffer());
  let parsed: unknown = undefined;
  if (raw.length > 0) parsed = type.includes("msgpack") ? decode(raw) : type.includes("json") ? JSON.parse(new TextDecoder().decode(raw)) : new TextDecoder().decode(raw);
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Creates an experiment (PROJECT → FOLDERs → EXPERIMENT, as the Python client does); returns its ids. */
export async function createExperiment(base: string, prefix: string, token: string | null = "secret"): Promise<{ id: string; nodeId: string; body: Record<string, unknown> }> {
  const [ns, project, ...rest] = prefix.split("/");
  const name = rest.pop() ?? project;
  const p = await call(base, "POST", `namespaces/${ns}/nodes`, { token, json: { type: "PROJECT", name: project, slug: project } });
  const projectId = (p.body["project"] as { id: string }).id;
  let parentId = "ROOT";
  for (const f of rest) {
    const r = await call(base, "POST", `namespaces/${ns}/nodes`, { token, json: { type: "FOLDER", projectId, parentId, name: f } });
    parentId = (r.body["node"] as { id: string }).id;
  }
  const e = await call(base, "POST", `namespaces/${ns}/nodes`, { token, json: { type: "EXPERIMENT", name, parentId, projectId, description: "d" } });
  if (e.status !== 200) throw new Error(`create failed: ${e.status} ${JSON.stringify(e.body)}`);
  return { id: (e.body["experiment"] as { id: string }).id, nodeId: (e.body["node"] as { id: string }).id, body: e.body };
}
