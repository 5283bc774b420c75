/** The node tree of the `.dash` store: projects and folders in memory, experiments as run folders. */
import type { RunStoreNodes } from "../../store/nodes.ts";
import type { ExperimentRecord, ExperimentRef, FileFolderRecord, ProjectRecord } from "../../store/records.ts";
import type { FileFolder } from "./file-index.ts";
import type { ExperimentEntry, ProjectNode } from "./registry.ts";
import type { DashState } from "./state.ts";
import { NotFoundError } from "../../../errors.ts";
import { paths } from "../../../layout/paths.ts";

/** An experiment's record from its `experiment.json` (values passed through as stored). */
export function experimentRecord(e: ExperimentEntry, doc: Record<string, unknown>): ExperimentRecord {
  return {
    ...toRef(e),
    description: (doc["description"] ?? null) as string | null,
    tags: (doc["tags"] ?? []) as string[],
    bindrs: (doc["bindrs"] ?? []) as string[],
    metadata: (doc["metadata"] ?? null) as ExperimentRecord["metadata"],
    status: (doc["status"] ?? null) as string | null,
    writeProtected: doc["write_protected"] === true,
    createdAt: (doc["created_at"] ?? null) as string | null,
    updatedAt: (doc["updated_at"] ?? null) as string | null,
  };
}

/** The plain ref of an indexed experiment (without the backend it is written through). */
export function toRef(e: ExperimentEntry): ExperimentRef {
  return { id: e.id, nodeId: e.nodeId, path: e.path, name: e.name, projectId: e.projectId, parentId: e.parentId };
}

/** A copy of a project node. */
function projectRecord(p: ProjectNode): ProjectRecord {
  return { ...p };
}

/** A file folder node as a record. */
export function fileFolderRecord(f: FileFolder): FileFolderRecord {
  return { id: f.id, experimentId: f.experiment.id, path: f.path, name: f.name, parentId: f.parentId };
}

/** The node tree part of the `.dash` store. */
export function dashNodes(state: DashState): RunStoreNodes {
  const reg = state.registry;
  return {
    async upsertProject(namespace, slug, attributes = {}) {
      return projectRecord(reg.upsertProject(namespace, slug, attributes.name, attributes.description));
    },
    async project(id) {
      const p = reg.projects.get(id);
      return p && projectRecord(p);
    },
    async projects(namespace) {
      await reg.refresh();
      return [...reg.projects.values()].filter((p) => namespace === undefined || p.namespace === namespace).map(projectRecord).sort((a, b) => a.path.localeCompare(b.path));
    },
    async deleteProject(id) {
      const p = reg.projects.get(id);
      if (!p) return undefined;
      const gone = await reg.locks.run(`project:${p.path}`, () => reg.deleteProject(p));
      for (const e of gone) state.forget(e);
      return { experiments: gone.length };
    },
    async upsertFolder(projectId, parentId, name) {
      const p = reg.projects.get(projectId);
      if (!p) throw new NotFoundError(`Project ${JSON.stringify(projectId)} not found`);
      return { ...reg.upsertFolder(p, parentId ?? "ROOT", name) };
    },
    async folder(id) {
      const f = reg.folders.get(id);
      return f && { ...f };
    },
    async folders(projectId) {
      await reg.refresh();
      return [...reg.folders.values()].filter((f) => f.projectId === projectId).map((f) => ({ ...f })).sort((a, b) => a.path.localeCompare(b.path));
    },
    async openExperiment(info) {
      const { entry, doc } = await reg.openExperiment(info.prefix.path, info);
      return experimentRecord(entry, doc);
    },
    async experiment(id) {
      const e = await reg.experiment(id);
      return e && toRef(e);
    },
    async run(path) {
      return (await state.storage.stat(paths.experiment(path))) ? toRef(await reg.ensure(path)) : undefined;
    },
    async experiments(query = {}) {
      await reg.refresh();
      const prefix = query.prefix ?? "";
      const under = prefix.replace(/\/+$/, "") + "/";
      return [...reg.experiments.values()].filter((e) => !prefix || e.path === prefix || e.path.startsWith(under)).map(toRef);
    },
    async describe(ref) {
      const e = await state.entry(ref);
      return experimentRecord(e, await reg.doc(e));
    },
    async setStatus(ref, status) {
      const e = await state.entry(ref);
      await reg.setStatus(e, status);
      // A run's status is its writer's last word (or first): what it wrote is made durable
      // before it is answered, so ML-Dash Python's client, which has no sync request, gets it too.
      await state.storage.sync?.();
      return experimentRecord(e, await reg.doc(e));
    },
    async node(id) {
      const ff = state.files.folders.get(id);
      if (ff) return { kind: "file-folder", folder: fileFolderRecord(ff), experiment: toRef(ff.experiment) };
      const e = reg.experimentByNode(id);
      if (e) return { kind: "experiment", experiment: toRef(e) };
      const f = reg.folders.get(id);
      if (f) return { kind: "folder", folder: { ...f } };
      const p = reg.projects.get(id);
      if (p) return { kind: "project", project: projectRecord(p) };
      const found = await state.files.find(id);
      if (found) return { kind: "file", experiment: toRef(found.entry), file: { ...found.file, parentId: state.files.folderId(found.entry, found.file.path) } };
      return undefined;
    },
  };
}
