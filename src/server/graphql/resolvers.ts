/**
 * The resolvers of the GraphQL schema (schema.ts) over the server's {@link RunStore}: the same
 * projects, experiments, streams, parameters and files the REST API serves. One root value is
 * made per request; it reads each list once and builds objects whose fields are read only when a
 * query selects them (graphql-js calls a function-valued field with its arguments).
 */
import { globMatch } from "../../files/glob.ts";
import type { RunStore } from "../store/index.ts";
import type { ExperimentRecord, ExperimentRef, FileRecord, FolderRecord, ProjectRecord } from "../store/records.ts";

type Obj = Record<string, unknown>;

/** Who asks: `me` answers with this user, and a missing namespace argument means theirs. */
export interface GraphqlUser {
  readonly username: string;
  readonly email?: string | null | undefined;
  readonly name?: string | null | undefined;
}

const STATUSES = new Set(["RUNNING", "COMPLETED", "FAILED", "CANCELLED", "ARCHIVED"]);
const ENDED = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

/** The status as the schema's enum spells it (a run Python wrote locally records none: RUNNING). */
function statusOf(r: ExperimentRecord): string {
  const s = r.status?.toUpperCase();
  return s && STATUSES.has(s) ? s : "RUNNING";
}

/** The path below the project: `ns/proj/f1/exp` → `f1/exp`. */
function below(path: string): string {
  return path.split("/").slice(2).join("/");
}

/** `/dir/name` of a file (`/name` at the experiment's root). */
function filePath(f: FileRecord): string {
  const dir = f.path.replace(/^\/+|\/+$/g, "");
  return "/" + (dir ? `${dir}/${f.filename}` : f.filename);
}

function page(all: readonly Obj[], limit: number, offset: number, key: string): Obj {
  const from = Math.max(0, offset);
  const size = Math.max(0, limit);
  return { [key]: all.slice(from, from + size), totalCount: all.length, hasMore: from + size < all.length };
}

/** The root value for one request by `user`. */
export function rootValue(store: RunStore, user: GraphqlUser): Obj {
  let all: Promise<ExperimentRef[]> | undefined;
  const experiments = (): Promise<ExperimentRef[]> => (all ??= store.experiments().then((l) => l.sort((a, b) => a.path.localeCompare(b.path))));
  const records = new Map<string, Promise<ExperimentRecord>>();
  const describe = (e: ExperimentRef): Promise<ExperimentRecord> => {
    let r = records.get(e.id);
    if (!r) records.set(e.id, (r = store.describe(e)));
    return r;
  };
  const inProject = async (p: ProjectRecord): Promise<ExperimentRef[]> => (await experiments()).filter((e) => e.projectId === p.id);
  const projectOf = async (slug: string | null | undefined, projectSlug: string): Promise<ProjectRecord | undefined> =>
    (await store.projects(slug ?? user.username)).find((p) => p.slug === projectSlug);

  const namespace = (slug: string): Obj => ({
    id: slug,
    slug,
    name: slug,
    projects: async () => (await store.projects(slug)).map(project),
  });

  const project = (p: ProjectRecord): Obj => ({
    id: p.id,
    slug: p.slug,
    name: p.name,
    description: p.description,
    tags: [],
    createdAt: p.createdAt,
    updatedAt: null,
    namespace: () => namespace(p.namespace),
    experimentCount: async () => (await inProject(p)).length,
    nodes: async ({ parentId }: { parentId?: string | null }) => {
      const roots = await tree(p);
      if (parentId == null) return roots;
      const find = (nodes: Obj[]): Obj[] | undefined => {
        for (const n of nodes) {
          if (n["id"] === parentId) return n["children"] as Obj[];
          const inner = find(n["children"] as Obj[]);
          if (inner) return inner;
        }
        return undefined;
      };
      return find(roots) ?? [];
    },
  });

  /** The project's folders and experiments as nested nodes (roots first, children by name). */
  const tree = async (p: ProjectRecord): Promise<Obj[]> => {
    const roots: Obj[] = [];
    const byId = new Map<string, Obj>();
    const folders: FolderRecord[] = await store.folders(p.id);
    for (const f of folders) {
      byId.set(f.id, { id: f.id, type: "FOLDER", name: f.name, pPath: "/" + below(f.path), parentId: f.parentId === "ROOT" ? null : f.parentId, projectId: p.id, experimentId: null, children: [] });
    }
    const place = (n: Obj, parentId: string): void => {
      const parent = parentId === "ROOT" ? undefined : byId.get(parentId);
      (parent ? (parent["children"] as Obj[]) : roots).push(n);
    };
    for (const f of folders) place(byId.get(f.id) as Obj, f.parentId);
    for (const e of await inProject(p)) place(node(e), e.parentId);
    const sort = (nodes: Obj[]): void => {
      nodes.sort((a, b) => String(a["name"]).localeCompare(String(b["name"])));
      for (const n of nodes) sort(n["children"] as Obj[]);
    };
    sort(roots);
    return roots;
  };

  const node = (e: ExperimentRef): Obj => ({
    id: e.nodeId,
    type: "EXPERIMENT",
    name: e.name,
    pPath: "/" + below(e.path),
    parentId: e.parentId === "ROOT" ? null : e.parentId,
    projectId: e.projectId,
    experimentId: e.id,
    children: [],
    status: async () => statusOf(await describe(e)),
    description: async () => (await describe(e)).description,
    tags: async () => (await describe(e)).tags,
    metadata: async () => (await describe(e)).metadata,
    createdAt: async () => (await describe(e)).createdAt,
    updatedAt: async () => (await describe(e)).updatedAt,
    deletedAt: null,
    experiment: () => experiment(e),
  });

  const file = (f: FileRecord): Obj => ({
    id: f.id,
    name: f.filename,
    pPath: filePath(f),
    description: f.description,
    tags: f.tags,
    metadata: f.metadata,
    createdAt: f.uploadedAt,
    updatedAt: f.updatedAt,
    deletedAt: f.deletedAt,
    physicalFile: { id: f.id, filename: f.filename, contentType: f.contentType, sizeBytes: f.sizeBytes, checksum: f.checksum, s3Url: null },
  });

  const liveFiles = async (e: ExperimentRef): Promise<Obj[]> => (await store.files(e)).filter((f) => f.deletedAt == null).map(file);

  const experiment = (e: ExperimentRef): Obj => {
    const field = <K extends keyof ExperimentRecord>(k: K) => async () => (await describe(e))[k];
    return {
      id: e.id,
      name: e.name,
      prefix: e.path,
      displayPath: below(e.path),
      projectId: e.projectId,
      description: field("description"),
      tags: field("tags"),
      bindrs: field("bindrs"),
      metadata: field("metadata"),
      writeProtected: field("writeProtected"),
      createdAt: field("createdAt"),
      updatedAt: async () => (await describe(e)).updatedAt ?? (await describe(e)).createdAt,
      startedAt: field("createdAt"),
      endedAt: async () => {
        const r = await describe(e);
        return ENDED.has(statusOf(r)) ? (r.updatedAt ?? r.createdAt) : null;
      },
      status: async () => statusOf(await describe(e)),
      project: async () => {
        const p = await store.project(e.projectId);
        return p ? project(p) : null;
      },
      node: () => node(e),
      logMetadata: async () => ({ totalLogs: (await store.logs(e, { limit: 0 })).total }),
      metrics: async () =>
        (await store.metrics(e)).map((m) => ({
          name: m.name ?? "None", // the unnamed metric, as its REST path spells it
          description: m.description,
          tags: m.tags,
          metadata: async () => (await store.metricStats(e, m.name)).metadata ?? null,
          metricMetadata: { totalDataPoints: Number(m.totalDataPoints), firstDataAt: null, lastDataAt: null },
        })),
      files: () => liveFiles(e),
      filesPaginated: async ({ limit, offset }: { limit: number; offset: number }) => page(await liveFiles(e), limit, offset, "files"),
      parameters: async () => {
        const p = await store.params(e);
        return p ? { id: e.id, data: p.data, version: p.version, createdAt: p.createdAt ?? null, updatedAt: p.updatedAt ?? null } : null;
      },
      trackCount: async () => (await store.tracks(e)).length,
    };
  };

  const byId = async (id: string): Promise<ExperimentRef | undefined> => store.experiment(id);

  return {
    me: () => ({ id: user.username, username: user.username, email: user.email ?? null, name: user.name ?? user.username, given_name: null, family_name: null, picture: null, namespace: () => namespace(user.username) }),
    namespace: ({ slug }: { slug: string }) => namespace(slug),
    project: async ({ id, namespaceSlug, projectSlug }: { id?: string | null; namespaceSlug?: string | null; projectSlug?: string | null }) => {
      const p = id != null ? await store.project(id) : projectSlug != null ? await projectOf(namespaceSlug, projectSlug) : undefined;
      return p ? project(p) : null;
    },
    experimentById: async ({ id }: { id: string }) => {
      const e = await byId(id);
      return e ? experiment(e) : null;
    },
    experimentNode: async ({ experimentId }: { experimentId: string }) => {
      const e = await byId(experimentId);
      return e ? node(e) : null;
    },
    projectsPaginated: async ({ namespaceSlug, limit, offset }: { namespaceSlug?: string | null; limit: number; offset: number }) =>
      page((await store.projects(namespaceSlug ?? user.username)).map(project), limit, offset, "projects"),
    experimentsPaginated: async (a: { namespaceSlug?: string | null; projectSlug: string; status?: string | null; limit: number; offset: number }) => {
      const p = await projectOf(a.namespaceSlug, a.projectSlug);
      const list = p ? await inProject(p) : [];
      const kept: ExperimentRef[] = [];
      for (const e of list) if (!a.status || statusOf(await describe(e)) === a.status) kept.push(e);
      return page(kept.map(experiment), a.limit, a.offset, "experiments");
    },
    experiment: async (a: { namespaceSlug?: string | null; projectSlug: string; experimentName: string }) => {
      const p = await projectOf(a.namespaceSlug, a.projectSlug);
      if (!p) return null;
      const list = await inProject(p);
      const e = list.find((x) => below(x.path) === a.experimentName) ?? list.find((x) => x.name === a.experimentName);
      return e ? experiment(e) : null;
    },
    searchExperimentsPaginated: async ({ pattern, limit, offset }: { pattern: string; limit: number; offset: number }) =>
      page((await experiments()).filter((e) => globMatch(pattern, e.path)).map(experiment), limit, offset, "experiments"),
  };
}
