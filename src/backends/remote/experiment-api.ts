/**
 * The calls about one experiment on an ML-Dash server, shared by the remote-only backend, the
 * hybrid one and `ml-dash upload`: creating (or resuming) it with the node requests the Python
 * client sends (the project, one folder per middle prefix segment, then the experiment itself,
 * each an upsert), its params, its status, and where its streams end.
 */
import type { ExperimentInfo, RunStatus } from "../../model/backend.ts";
import { ConfigurationError, RemoteError } from "../../errors.ts";
import type { StreamId } from "../../model/batch.ts";
import type { PlainValue } from "../../model/values.ts";
import { routes, target, UNNAMED_METRIC } from "../../protocol/routes.ts";
import type { RemoteClient } from "./client.ts";
import type { RemoteFileTarget } from "./files-api.ts";
import { WRITER_HEADER } from "../../protocol/writer-id.ts";

/** What the server said about a created experiment. */
export interface RemoteExperiment {
  /** The experiment id (used in `experiments/{id}/…` paths). */
  readonly id: string;
  /** The experiment's node id (used by `PATCH nodes/{id}`). */
  readonly nodeId: string;
  /** The whole answer (`exp.data`). */
  readonly data: Record<string, unknown>;
  /** Where each stream ends on the server (`metric:train` → 120), when the server says. */
  readonly positions: ReadonlyMap<string, number> | undefined;
  /** Where the writer named at the create ends in each stream (in its own numbering), when the server says. */
  readonly writerPositions?: ReadonlyMap<string, number> | undefined;
}

function positionMap(streams: unknown): Map<string, number> | undefined {
  if (streams === null || typeof streams !== "object") return undefined;
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(streams as Record<string, unknown>)) if (typeof v === "number") out.set(k, v);
  return out;
}

function idOf(v: unknown, what: string): string {
  const id = (v as { id?: unknown } | undefined)?.id;
  if (typeof id === "string" || typeof id === "number") return String(id); // snowflake ids may arrive as numbers
  throw new RemoteError(`The server's answer has no ${what}.id`, 200, v);
}

/**
 * Creates or resumes the experiment of `info` on the server. `writer`: the id this client's
 * batches carry, sent in the `ML-Dash-Writer` header so the server says where that writer's
 * streams end (`writerPositions`; a server that does not know writers ignores the header).
 */
export async function createRemoteExperiment(client: RemoteClient, info: ExperimentInfo, writer?: string): Promise<RemoteExperiment> {
  const p = info.prefix;
  if (p.owner === undefined || p.project === undefined) {
    throw new ConfigurationError(`Remote mode needs a prefix "owner/project/name" (the owner is the server namespace); got "${p.path}"`);
  }
  const nodes = target(routes.createNode, { ns: p.owner });
  let projectId: string | undefined;
  let parentId = "ROOT";
  if (p.folders.length > 0) {
    const res = await client.request(nodes, { json: { type: "PROJECT", name: p.project, slug: p.project } });
    projectId = idOf((res.data as Record<string, unknown>)["project"], "project");
    for (const name of p.folders) {
      const f = await client.request(nodes, { json: { type: "FOLDER", projectId, parentId, name } });
      parentId = idOf((f.data as Record<string, unknown>)["node"], "node");
    }
  }
  const body: Record<string, unknown> = { type: "EXPERIMENT", name: p.name, parentId };
  if (projectId !== undefined) body["projectId"] = projectId;
  else body["projectSlug"] = p.project; // the server creates the project when needed
  if (info.description !== undefined) body["description"] = info.description;
  if (info.tags !== undefined) body["tags"] = info.tags;
  if (info.bindrs !== undefined) body["bindrs"] = info.bindrs;
  if (info.metadata !== undefined) body["metadata"] = info.metadata;
  // Ours, and only where the node chain above names another folder than the local store's (a
  // 2-segment prefix "a/b" is experiment "b" of project "b"): Python never sends "prefix".
  if (p.path !== [p.owner, p.project, ...p.folders, p.name].join("/")) body["prefix"] = p.path;
  const res = await client.request<Record<string, unknown>>(nodes, { json: body, ...(writer === undefined ? {} : { headers: { [WRITER_HEADER]: writer } }) });
  const data = res.data ?? {};
  const positions = positionMap(data["streams"]);
  const writerPositions = positions === undefined ? undefined : positionMap(data["writerStreams"]);
  // msgpack only once the server has shown it is an ml-dash server (it says where its streams
  // end); any other server, ML-Dash's hosted one included, gets JSON as Python sends it.
  if (positions === undefined && client.wire === "msgpack") client.wire = "json";
  return { id: idOf(data["experiment"], "experiment"), nodeId: idOf(data["node"], "node"), data, positions, writerPositions };
}

/** The server's params of an experiment (`{}` when it has none). */
export async function fetchParams(client: RemoteClient, id: string): Promise<{ data: Record<string, PlainValue>; version: number }> {
  try {
    const res = await client.request<Record<string, unknown>>(target(routes.readParams, { id }), { msgpack: true });
    const d = res.data ?? {};
    const data = d["data"];
    return {
      data: data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, PlainValue>) : {},
      version: typeof d["version"] === "number" ? d["version"] : 0,
    };
  } catch (err) {
    if (err instanceof RemoteError && err.status === 404) return { data: {}, version: 0 };
    throw err;
  }
}

/**
 * Sends the params state (a merge on the server, so sending the same state twice changes
 * nothing): `{data}`, Python's body. `history` (`ml-dash upload`): also the stored version and
 * times, fields of ours that other servers ignore (they count their own version and stamp now).
 */
export async function postParams(
  client: RemoteClient,
  id: string,
  params: { readonly data: Readonly<Record<string, PlainValue>> },
  history?: { readonly version?: number | undefined; readonly createdAt?: string | undefined; readonly updatedAt?: string | undefined },
): Promise<void> {
  const kept = history
    ? {
        ...(history.version !== undefined ? { version: history.version } : {}),
        ...(history.createdAt ? { createdAt: history.createdAt } : {}),
        ...(history.updatedAt ? { updatedAt: history.updatedAt } : {}),
      }
    : {};
  await client.request(target(routes.writeParams, { id }), { json: { data: params.data, ...kept } });
}

/**
 * Asks the server to make the run's acknowledged data durable (fsync). False when the server
 * has no such request (ML-Dash's own: 404, 405 or 501); what it acknowledged is then as
 * durable as it keeps it.
 */
export async function syncExperiment(client: RemoteClient, id: string): Promise<boolean> {
  try {
    await client.request(target(routes.syncExperiment, { id }));
    return true;
  } catch (err) {
    if (err instanceof RemoteError && (err.status === 404 || err.status === 405 || err.status === 501)) return false;
    throw err;
  }
}

/** Records the run status on the experiment's node (idempotent). */
export async function patchStatus(client: RemoteClient, nodeId: string, status: RunStatus): Promise<void> {
  await client.request(target(routes.updateNode, { id: nodeId }), { json: { status } });
}

/**
 * Where a stream ends on the server: its position from the create answer when the server
 * reports positions; else, for a metric, its count of points (`0` when it has none yet); else 0.
 */
export async function serverPosition(client: RemoteClient, id: string, stream: StreamId, positions: ReadonlyMap<string, number> | undefined): Promise<number> {
  if (positions) return positions.get(stream.key) ?? 0;
  if (stream.kind !== "metric") return 0;
  try {
    const res = await client.request<Record<string, unknown>>(target(routes.metricStats, { id, name: stream.name ?? UNNAMED_METRIC }));
    return Number(res.data?.["totalDataPoints"] ?? 0) || 0;
  } catch (err) {
    if (err instanceof RemoteError && err.status === 404) return 0;
    throw err;
  }
}

/** Where the files of a created experiment go (`namespace`: the owner segment of its prefix). */
export function fileTarget(exp: Pick<RemoteExperiment, "id" | "nodeId" | "data">, namespace: string): RemoteFileTarget {
  const project = (exp.data["project"] ?? {}) as Record<string, unknown>;
  const experiment = (exp.data["experiment"] ?? {}) as Record<string, unknown>;
  const projectId = project["id"] ?? experiment["projectId"];
  return { experimentId: exp.id, nodeId: exp.nodeId, projectId: projectId === undefined || projectId === null ? undefined : String(projectId), namespace };
}
