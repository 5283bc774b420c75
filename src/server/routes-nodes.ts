/**
 * Nodes: projects, folders and experiments (`POST namespaces/{ns}/nodes`, each an upsert),
 * the status of an experiment (`PATCH nodes/{id}`), and reads of nodes and experiments.
 */
import { Hono } from "hono";
import type { ExperimentInfo } from "../model/backend.ts";
import { normalizeValue, type PlainObject } from "../model/values.ts";
import { parsePrefix } from "../model/prefix.ts";
import { segmentProblem, shown } from "../model/names.ts";
import { NotFoundError } from "../errors.ts";
import { badRequest, check, HttpError } from "./http-error.ts";
import { readBody, reply } from "./http-io.ts";
import { checkName } from "./file-json.ts";
import type { RunStore } from "./store/index.ts";
import type { ExperimentRecord, ExperimentRef, ProjectRecord } from "./store/records.ts";
import { ExperimentBody, FolderBody, NodeBody, ProjectBody, StatusBody } from "./schemas.ts";
import { experimentOf, nodeOf } from "./lookups.ts";
import { writerId } from "./batches.ts";
import type * as v from "valibot";

/** A name that becomes one folder of the tree; 400 (naming `field`) if it could escape it or breaks the rule of `model/names.ts`. */
export function segment(value: string, field: string): string {
  const problem = value.includes("/") ? "contains a /" : segmentProblem(value);
  if (problem) throw badRequest(`Invalid ${field} ${shown(value)}: it ${problem}; use a non-empty name without "/", "\\" or control characters, not "." or ".."`, field);
  return value;
}

function projectJson(p: ProjectRecord): Record<string, unknown> {
  return { id: p.id, name: p.name, slug: p.slug, namespace: p.namespace, description: p.description, createdAt: p.createdAt };
}

/** The experiment as the API shows it. */
export function experimentJson(e: ExperimentRecord): Record<string, unknown> {
  return {
    id: e.id,
    nodeId: e.nodeId,
    name: e.name,
    prefix: e.path,
    projectId: e.projectId,
    description: e.description,
    tags: e.tags,
    bindrs: e.bindrs,
    metadata: e.metadata,
    status: e.status,
    writeProtected: e.writeProtected,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt ?? e.createdAt,
  };
}

function experimentNode(e: ExperimentRef, status: unknown): Record<string, unknown> {
  return { id: e.nodeId, type: "EXPERIMENT", name: e.name, parentId: e.parentId, projectId: e.projectId, experimentId: e.id, status: status ?? null };
}

/** Where each stream of the experiment ends, keyed as the wire names streams (`metric:train`). */
async function positions(store: RunStore, e: ExperimentRef): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const p of await store.streams(e)) out[p.stream.key] = p.next;
  return out;
}

async function project(store: RunStore, ns: string, id: string | number): Promise<ProjectRecord> {
  const p = await store.project(String(id));
  if (!p || p.namespace !== ns) throw new HttpError(404, `Project ${JSON.stringify(String(id))} not found in namespace ${ns}`, { field: "projectId" });
  return p;
}

/** The folder path of `parentId` ("ROOT" = the project); 404 naming `parentId` when it is no folder of the project. */
async function parentPath(store: RunStore, p: ProjectRecord, parentId: string): Promise<string> {
  if (parentId === "ROOT") return p.path;
  const f = await store.folder(parentId);
  if (!f || f.projectId !== p.id) throw new HttpError(404, `Parent folder ${JSON.stringify(parentId)} not found in project ${p.path}`, { field: "parentId" });
  return f.path;
}

/** The segments of a prefix sent by a client; 400 naming `prefix` when it breaks the rules. */
function prefixSegments(prefix: string): readonly string[] {
  try {
    return parsePrefix(prefix, "prefix").segments;
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : String(err), "prefix");
  }
}

/** Where writer `writer`'s own numbering ends in each stream (`ML-Dash-Writer`: a client resuming its uploads). */
async function writerPositions(store: RunStore, e: ExperimentRef, writer: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const p of await store.writerStreams(e, writer)) out[p.stream.key] = p.next;
  return out;
}

async function createExperiment(store: RunStore, ns: string, b: v.InferOutput<typeof ExperimentBody>, writer: string | undefined): Promise<Record<string, unknown>> {
  const name = segment(b.name, "name");
  // The prefix is checked before anything (the project) is registered: a refused create leaves no trace.
  const given = b.prefix === undefined ? undefined : prefixSegments(b.prefix);
  let p: ProjectRecord;
  if (b.projectId !== undefined) p = await project(store, ns, b.projectId);
  else if (b.projectSlug !== undefined) p = await store.upsertProject(ns, segment(b.projectSlug, "projectSlug"));
  else throw badRequest('Invalid experiment: give "projectId" or "projectSlug"', "projectId");
  let path: string;
  if (given !== undefined) {
    const segs = given;
    if (segs[0] !== ns || segs[segs.length - 1] !== name || (segs.length > 1 && segs[1] !== p.slug)) {
      throw badRequest(`Invalid experiment: "prefix" must be "${ns}/${p.slug}/…/${name}"`, "prefix");
    }
    path = segs.join("/");
  } else {
    path = `${await parentPath(store, p, b.parentId == null ? "ROOT" : String(b.parentId))}/${name}`;
  }
  const info: ExperimentInfo = {
    prefix: parsePrefix(path),
    description: b.description ?? undefined,
    tags: b.tags ?? undefined,
    bindrs: b.bindrs ?? undefined,
    metadata: b.metadata == null ? undefined : (normalizeValue(b.metadata, "metadata", "body") as PlainObject),
  };
  const e = await store.openExperiment(info);
  return {
    experiment: experimentJson(e),
    node: experimentNode(e, e.status),
    project: projectJson((await store.project(e.projectId)) ?? p),
    streams: await positions(store, e),
    ...(writer === undefined ? {} : { writerStreams: await writerPositions(store, e, writer) }),
  };
}

/** A folder owned by an experiment (where its files go), as Python creates them before an upload. */
async function fileFolder(store: RunStore, ns: string, b: v.InferOutput<typeof FolderBody>): Promise<Record<string, unknown>> {
  const e = await experimentOf(store, String(b.experimentId), { field: "experimentId" });
  if (!e.path.startsWith(ns + "/")) throw new HttpError(404, `Experiment ${e.id} is not in namespace ${ns}`, { field: "experimentId" });
  if (String(b.projectId) !== e.projectId) throw badRequest(`projectId ${JSON.stringify(String(b.projectId))} is not the project of experiment ${e.id} (${e.projectId})`, "projectId");
  const parentId = b.parentId == null ? undefined : String(b.parentId);
  const name = checkName(b.name, "name");
  const parent = await store.fileFolderPath(e, parentId);
  if (parent === undefined) throw notAFolder(parentId, e);
  const f = await store.upsertFileFolder(e, parent, name);
  return { node: { id: f.id, type: "FOLDER", name: f.name, parentId: f.parentId, projectId: e.projectId, experimentId: e.id, path: f.path } };
}

/** 404 for a `parentId` that is no folder of the experiment. */
export function notAFolder(parentId: string | undefined, e: ExperimentRef): HttpError {
  return new HttpError(404, `Parent node ${JSON.stringify(parentId)} is not a folder of experiment ${e.id}; create it with POST namespaces/{ns}/nodes (type FOLDER, experimentId)`, {
    field: "parentId",
  });
}

/** The node routes. */
export function nodeRoutes(store: RunStore): Hono {
  const app = new Hono();

  app.post("/namespaces/:ns/nodes", async (c) => {
    const ns = segment(c.req.param("ns"), "namespace");
    const body = check(NodeBody, await readBody(c, { msgpack: true }), "node");
    if (body.type === "PROJECT") {
      const b = body as v.InferOutput<typeof ProjectBody>;
      const p = await store.upsertProject(ns, segment(b.slug ?? b.name, b.slug ? "slug" : "name"), { name: b.name, description: b.description });
      return reply(c, { project: projectJson(p), node: { id: p.id, type: "PROJECT", name: p.name, slug: p.slug } });
    }
    if (body.type === "FOLDER") {
      const b = body as v.InferOutput<typeof FolderBody>;
      if (b.experimentId != null) return reply(c, await fileFolder(store, ns, b));
      const p = await project(store, ns, b.projectId);
      const f = await store.upsertFolder(p.id, b.parentId == null ? null : String(b.parentId), segment(b.name, "name")).catch((err: unknown) => {
        throw err instanceof NotFoundError ? new HttpError(404, err.message, { field: "parentId" }) : err;
      });
      return reply(c, { node: { id: f.id, type: "FOLDER", name: f.name, parentId: f.parentId, projectId: f.projectId } });
    }
    return reply(c, await createExperiment(store, ns, body as v.InferOutput<typeof ExperimentBody>, writerId(c.req.header("ml-dash-writer"))));
  });

  app.patch("/nodes/:id", async (c) => {
    const node = await nodeOf(store, c);
    if (node?.kind !== "experiment") throw new HttpError(404, `Node ${JSON.stringify(c.req.param("id"))} not found`);
    const { status } = check(StatusBody, await readBody(c, { msgpack: true }), "node update");
    const e = await store.setStatus(node.experiment, status);
    return reply(c, { ...experimentNode(e, status), updatedAt: e.updatedAt });
  });

  app.get("/nodes/:id", async (c) => {
    const id = c.req.param("id");
    const node = await nodeOf(store, c);
    if (node?.kind === "experiment") return reply(c, experimentNode(node.experiment, (await store.describe(node.experiment)).status));
    if (node?.kind === "folder") return reply(c, { id: node.folder.id, type: "FOLDER", name: node.folder.name, parentId: node.folder.parentId, projectId: node.folder.projectId });
    if (node?.kind === "project") return reply(c, { id: node.project.id, type: "PROJECT", name: node.project.name, slug: node.project.slug });
    throw new HttpError(404, `Node ${JSON.stringify(id)} not found`);
  });

  app.get("/experiments", async (c) => {
    const prefix = c.req.query("prefix") ?? "";
    const out: Record<string, unknown>[] = [];
    for (const e of await store.experiments({ prefix })) out.push(experimentJson(await store.describe(e)));
    out.sort((a, b) => String(a["prefix"]).localeCompare(String(b["prefix"])));
    return reply(c, { experiments: out, total: out.length });
  });

  app.get("/experiments/:id", async (c) => {
    const e = await experimentOf(store, c.req.param("id"));
    return reply(c, { experiment: experimentJson(await store.describe(e)), streams: await positions(store, e) });
  });

  return app;
}
