/**
 * Nodes: projects, folders and experiments (`POST namespaces/{ns}/nodes`, each an upsert),
 * the status of an experiment (`PATCH nodes/{id}`), and reads of nodes and experiments.
 */
import { Hono } from "hono";
import type { ExperimentInfo } from "../model/backend.ts";
import { normalizeValue, type PlainObject } from "../model/values.ts";
import { parsePrefix } from "../model/prefix.ts";
import { badRequest, check, HttpError } from "./http-error.ts";
import { readBody, reply } from "./http-io.ts";
import type { ServerFiles } from "./file-index.ts";
import { checkName } from "./file-json.ts";
import type { ExperimentEntry, ProjectNode, Registry } from "./registry.ts";
import { ExperimentBody, FolderBody, NodeBody, ProjectBody, StatusBody } from "./schemas.ts";
import type * as v from "valibot";

const BAD_SEGMENT = /[/\\\u0000-\u001f\u007f]/;

/** A name that becomes one folder of the tree; 400 (naming `field`) if it could escape it. */
export function segment(value: string, field: string): string {
  if (value === "" || value === "." || value === ".." || BAD_SEGMENT.test(value)) {
    throw badRequest(`Invalid ${field} ${JSON.stringify(value)}: use a non-empty name without "/", "\\" or control characters, not "." or ".."`, field);
  }
  return value;
}

function projectJson(p: ProjectNode): Record<string, unknown> {
  return { id: p.id, name: p.name, slug: p.slug, namespace: p.namespace, description: p.description, createdAt: p.createdAt };
}

/** The experiment as the API shows it (from experiment.json). */
export function experimentJson(e: ExperimentEntry, doc: Record<string, unknown>): Record<string, unknown> {
  return {
    id: e.id,
    nodeId: e.nodeId,
    name: e.name,
    prefix: e.path,
    projectId: e.projectId,
    description: doc["description"] ?? null,
    tags: doc["tags"] ?? [],
    bindrs: doc["bindrs"] ?? [],
    metadata: doc["metadata"] ?? null,
    status: doc["status"] ?? null,
    writeProtected: doc["write_protected"] === true,
    createdAt: doc["created_at"] ?? null,
    updatedAt: doc["updated_at"] ?? doc["created_at"] ?? null,
  };
}

function experimentNode(e: ExperimentEntry, status: unknown): Record<string, unknown> {
  return { id: e.nodeId, type: "EXPERIMENT", name: e.name, parentId: e.parentId, projectId: e.projectId, experimentId: e.id, status: status ?? null };
}

function project(reg: Registry, ns: string, id: string | number): ProjectNode {
  const p = reg.projects.get(String(id));
  if (!p || p.namespace !== ns) throw new HttpError(404, `Project ${JSON.stringify(String(id))} not found in namespace ${ns}`, { field: "projectId" });
  return p;
}

async function createExperiment(reg: Registry, ns: string, b: v.InferOutput<typeof ExperimentBody>): Promise<Record<string, unknown>> {
  const name = segment(b.name, "name");
  let p: ProjectNode;
  if (b.projectId !== undefined) p = project(reg, ns, b.projectId);
  else if (b.projectSlug !== undefined) p = reg.upsertProject(ns, segment(b.projectSlug, "projectSlug"));
  else throw badRequest('Invalid experiment: give "projectId" or "projectSlug"', "projectId");
  let path: string;
  if (b.prefix !== undefined) {
    let segs: readonly string[];
    try {
      segs = parsePrefix(b.prefix, "prefix").segments;
    } catch (err) {
      throw badRequest(err instanceof Error ? err.message : String(err), "prefix");
    }
    if (segs[0] !== ns || segs[segs.length - 1] !== name || (segs.length > 1 && segs[1] !== p.slug)) {
      throw badRequest(`Invalid experiment: "prefix" must be "${ns}/${p.slug}/…/${name}"`, "prefix");
    }
    path = segs.join("/");
  } else {
    path = `${reg.parentPath(p, b.parentId == null ? "ROOT" : String(b.parentId))}/${name}`;
  }
  const info: ExperimentInfo = {
    prefix: parsePrefix(path),
    description: b.description ?? undefined,
    tags: b.tags ?? undefined,
    bindrs: b.bindrs ?? undefined,
    metadata: b.metadata == null ? undefined : (normalizeValue(b.metadata, "metadata", "body") as PlainObject),
  };
  const { entry, doc } = await reg.openExperiment(path, info);
  return {
    experiment: experimentJson(entry, doc),
    node: experimentNode(entry, doc["status"]),
    project: projectJson(reg.projects.get(entry.projectId) ?? p),
    streams: await reg.positions(entry),
  };
}

/** A folder owned by an experiment (where its files go), as Python creates them before an upload. */
async function fileFolder(reg: Registry, files: ServerFiles, ns: string, b: v.InferOutput<typeof FolderBody>): Promise<Record<string, unknown>> {
  const e = await reg.experiment(String(b.experimentId)).catch((err: unknown) => {
    throw err instanceof HttpError ? new HttpError(404, err.message, { field: "experimentId" }) : err;
  });
  if (!e.path.startsWith(ns + "/")) throw new HttpError(404, `Experiment ${e.id} is not in namespace ${ns}`, { field: "experimentId" });
  if (String(b.projectId) !== e.projectId) throw badRequest(`projectId ${JSON.stringify(String(b.projectId))} is not the project of experiment ${e.id} (${e.projectId})`, "projectId");
  const f = await files.upsertFolder(e, b.parentId == null ? undefined : String(b.parentId), checkName(b.name, "name"));
  return { node: { id: f.id, type: "FOLDER", name: f.name, parentId: f.parentId, projectId: e.projectId, experimentId: e.id, path: f.path } };
}

/** The node routes. */
export function nodeRoutes(reg: Registry, files: ServerFiles): Hono {
  const app = new Hono();

  app.post("/namespaces/:ns/nodes", async (c) => {
    const ns = segment(c.req.param("ns"), "namespace");
    const body = check(NodeBody, await readBody(c, { msgpack: true }), "node");
    if (body.type === "PROJECT") {
      const b = body as v.InferOutput<typeof ProjectBody>;
      const p = reg.upsertProject(ns, segment(b.slug ?? b.name, b.slug ? "slug" : "name"), b.name, b.description);
      return reply(c, { project: projectJson(p), node: { id: p.id, type: "PROJECT", name: p.name, slug: p.slug } });
    }
    if (body.type === "FOLDER") {
      const b = body as v.InferOutput<typeof FolderBody>;
      if (b.experimentId != null) return reply(c, await fileFolder(reg, files, ns, b));
      const f = reg.upsertFolder(project(reg, ns, b.projectId), b.parentId == null ? "ROOT" : String(b.parentId), segment(b.name, "name"));
      return reply(c, { node: { id: f.id, type: "FOLDER", name: f.name, parentId: f.parentId, projectId: f.projectId } });
    }
    return reply(c, await createExperiment(reg, ns, body as v.InferOutput<typeof ExperimentBody>));
  });

  app.patch("/nodes/:id", async (c) => {
    const e = reg.experimentByNode(c.req.param("id"));
    if (!e) throw new HttpError(404, `Node ${JSON.stringify(c.req.param("id"))} not found`);
    const { status } = check(StatusBody, await readBody(c, { msgpack: true }), "node update");
    await reg.setStatus(e, status);
    const doc = await reg.doc(e);
    return reply(c, { ...experimentNode(e, status), updatedAt: doc["updated_at"] ?? null });
  });

  app.get("/nodes/:id", async (c) => {
    const id = c.req.param("id");
    const e = reg.experimentByNode(id);
    if (e) return reply(c, experimentNode(e, (await reg.doc(e))["status"]));
    const f = reg.folders.get(id);
    if (f) return reply(c, { id: f.id, type: "FOLDER", name: f.name, parentId: f.parentId, projectId: f.projectId });
    const p = reg.projects.get(id);
    if (p) return reply(c, { id: p.id, type: "PROJECT", name: p.name, slug: p.slug });
    throw new HttpError(404, `Node ${JSON.stringify(id)} not found`);
  });

  app.get("/experiments", async (c) => {
    await reg.refresh();
    const prefix = c.req.query("prefix") ?? "";
    const out: Record<string, unknown>[] = [];
    for (const e of reg.experiments.values()) {
      if (prefix && e.path !== prefix && !e.path.startsWith(prefix.replace(/\/+$/, "") + "/")) continue;
      out.push(experimentJson(e, await reg.doc(e)));
    }
    out.sort((a, b) => String(a["prefix"]).localeCompare(String(b["prefix"])));
    return reply(c, { experiments: out, total: out.length });
  });

  app.get("/experiments/:id", async (c) => {
    const e = await reg.experiment(c.req.param("id"));
    return reply(c, { experiment: experimentJson(e, await reg.doc(e)), streams: await reg.positions(e) });
  });

  return app;
}
