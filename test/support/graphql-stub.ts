/**
 * A stand-in for the GraphQL endpoint `ml-dash serve` does not have yet (issue 15), for tests
 * only: it executes queries against the real schema (src/server/graphql/schema.ts) with resolvers
 * that read the server's existing REST API, so ML-Dash Python gets past `GetProject` and the
 * recording proxy can see every request it sends after that. It is not the implementation:
 * the server's resolvers will sit on its store interface.
 *
 * Limits, on purpose: the namespace is the configured user's; projects are those that hold an
 * experiment, plus those the proxy saw created (`observe`); the node tree holds the prefix
 * folders and experiments (not the folders and files inside experiments); folder ids are made up
 * from their paths.
 *
 * @example
 * ```ts
 * const stub = graphqlStub(server.url, { token: "T", username: "alice" });
 * const proxy = await startRecordingProxy(server.url, { graphql: stub.handle, onExchange: stub.observe });
 * ```
 */
import { execute, parse, validate, type DocumentNode } from "graphql";
import { mlDashSchema, VALIDATION_RULES } from "../../src/server/graphql/schema.ts";
import type { GraphqlStub, RecordedRequest } from "./recording-proxy.ts";

interface RestExperiment {
  id: string;
  nodeId: string;
  name: string;
  prefix: string;
  projectId: string;
  description: string | null;
  tags: string[];
  bindrs: string[];
  metadata: unknown;
  status: string | null;
  writeProtected: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

interface ProjectInfo {
  id: string;
  slug: string;
  name: string;
  namespace: string;
  description: string | null;
}

type Obj = Record<string, unknown>;

/** Shell glob as fnmatch reads it: `*` (also across "/"), `?`, `[…]`, `[!…]`. */
function fnmatch(pattern: string, text: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let set = pattern.slice(i + 1, end);
        if (set.startsWith("!")) set = "^" + set.slice(1);
        re += `[${set.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s").test(text);
}

/** The stub: `handle` answers `POST /graphql`; `observe` learns projects from the proxy's traffic. */
export function graphqlStub(target: string, o: { token?: string; username: string }) {
  const origin = target.replace(/\/+$/, "");
  const learned = new Map<string, ProjectInfo>();

  async function rest<T>(path: string): Promise<T | undefined> {
    const res = await fetch(`${origin}/api/${path}`, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {} });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET /api/${path} → ${res.status}`);
    return (await res.json()) as T;
  }

  /** Data for one GraphQL request (read once per request). */
  function context() {
    let exps: Promise<RestExperiment[]> | undefined;
    const experiments = (): Promise<RestExperiment[]> => (exps ??= rest<{ experiments: RestExperiment[] }>("experiments").then((r) => r?.experiments ?? []));
    const projects = async (): Promise<ProjectInfo[]> => {
      const out = new Map<string, ProjectInfo>(learned);
      for (const e of await experiments()) {
        const [ns, slug] = e.prefix.split("/") as [string, string];
        if (!out.has(e.projectId)) out.set(e.projectId, { id: e.projectId, slug, name: slug, namespace: ns, description: null });
      }
      return [...out.values()];
    };

    const namespace = (slug: string): Obj => ({
      id: slug,
      slug,
      name: slug,
      projects: async () => (await projects()).filter((p) => p.namespace === slug).map(project),
    });

    const project = (p: ProjectInfo): Obj => ({
      id: p.id,
      slug: p.slug,
      name: p.name,
      description: p.description,
      tags: [],
      createdAt: null,
      updatedAt: null,
      namespace: () => namespace(p.namespace),
      experimentCount: async () => (await experiments()).filter((e) => e.projectId === p.id).length,
      nodes: async ({ parentId }: { parentId?: string | null }) => {
        const roots = tree(p, (await experiments()).filter((e) => e.projectId === p.id));
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

    /** Folders of the prefixes, then experiments, as nested nodes. */
    const tree = (p: ProjectInfo, exps: RestExperiment[]): Obj[] => {
      const roots: Obj[] = [];
      const folders = new Map<string, Obj>();
      const childrenOf = (path: string): Obj[] => (path === "" ? roots : ((folders.get(path) as Obj)["children"] as Obj[]));
      for (const e of [...exps].sort((a, b) => a.prefix.localeCompare(b.prefix))) {
        const segs = e.prefix.split("/").slice(2);
        let path = "";
        for (const name of segs.slice(0, -1)) {
          const next = path ? `${path}/${name}` : name;
          if (!folders.has(next)) {
            const node = { id: `folder:${p.id}:${next}`, type: "FOLDER", name, pPath: `/${next}`, parentId: path ? `folder:${p.id}:${path}` : null, projectId: p.id, experimentId: null, children: [] };
            childrenOf(path).push(node);
            folders.set(next, node);
          }
          path = next;
        }
        childrenOf(path).push({ ...node(e, p.id), parentId: path ? `folder:${p.id}:${path}` : null });
      }
      return roots;
    };

    const node = (e: RestExperiment, projectId: string): Obj => ({
      id: e.nodeId,
      type: "EXPERIMENT",
      name: e.name,
      pPath: "/" + e.prefix.split("/").slice(2).join("/"),
      projectId,
      experimentId: e.id,
      status: e.status ?? "RUNNING",
      description: e.description,
      tags: e.tags,
      metadata: e.metadata,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      children: [],
      experiment: () => experiment(e),
    });

    const file = (f: Obj): Obj => ({
      id: f["id"],
      name: f["filename"],
      pPath: "/" + [f["path"], f["filename"]].filter(Boolean).join("/").replace(/^\/+/, ""),
      description: f["description"],
      tags: f["tags"] ?? [],
      metadata: f["metadata"],
      createdAt: f["uploadedAt"],
      updatedAt: f["updatedAt"],
      deletedAt: f["deletedAt"],
      physicalFile: { id: f["id"], filename: f["filename"], contentType: f["contentType"], sizeBytes: f["sizeBytes"], checksum: f["checksum"], s3Url: null },
    });

    const filesPage = async (e: RestExperiment, offset: number, limit: number): Promise<Obj> => {
      const r = await rest<{ files: Obj[]; total: number; hasMore: boolean }>(`experiments/${encodeURIComponent(e.id)}/files?offset=${offset}&limit=${limit}`);
      return { files: (r?.files ?? []).map(file), totalCount: r?.total ?? 0, hasMore: r?.hasMore ?? false };
    };

    const experiment = (e: RestExperiment): Obj => {
      const id = encodeURIComponent(e.id);
      const [ns, slug] = e.prefix.split("/") as [string, string];
      return {
        ...e,
        status: e.status ?? "RUNNING",
        displayPath: e.prefix.split("/").slice(2).join("/"),
        startedAt: e.createdAt,
        endedAt: e.status && e.status !== "RUNNING" ? e.updatedAt : null,
        project: async () => project((await projects()).find((p) => p.id === e.projectId) ?? { id: e.projectId, slug, name: slug, namespace: ns, description: null }),
        node: () => node(e, e.projectId),
        logMetadata: async () => ({ totalLogs: (await rest<{ total: number }>(`experiments/${id}/logs?limit=1`))?.total ?? 0 }),
        metrics: async () =>
          ((await rest<{ metrics: Obj[] }>(`experiments/${id}/metrics`))?.metrics ?? []).map((m) => ({
            name: m["name"] ?? "None", // the unnamed metric, as its REST path spells it
            description: m["description"] ?? null,
            tags: m["tags"] ?? [],
            metadata: m["metadata"] ?? null,
            metricMetadata: { totalDataPoints: Number(m["totalDataPoints"] ?? 0), firstDataAt: null, lastDataAt: null },
          })),
        files: async () => (await filesPage(e, 0, 10_000))["files"],
        filesPaginated: ({ limit, offset }: { limit: number; offset: number }) => filesPage(e, offset, limit),
        parameters: async () => {
          const p = await rest<{ id: string; data: unknown; version?: number }>(`experiments/${id}/parameters`);
          return p ? { id: p.id, data: p.data, version: p.version ?? null } : null;
        },
        trackCount: async () => ((await rest<{ tracks: unknown[] }>(`experiments/${id}/tracks`))?.tracks ?? []).length,
      };
    };

    const page = (all: Obj[], limit: number, offset: number, key: string): Obj => ({ [key]: all.slice(offset, offset + limit), totalCount: all.length, hasMore: offset + limit < all.length });
    const inProject = async (ns: string, slug: string): Promise<RestExperiment[]> => (await experiments()).filter((e) => e.prefix.startsWith(`${ns}/${slug}/`));

    const root: Obj = {
      me: () => ({ id: `user:${o.username}`, username: o.username, email: null, name: o.username, given_name: null, family_name: null, picture: null, namespace: () => namespace(o.username) }),
      namespace: ({ slug }: { slug: string }) => namespace(slug),
      project: async ({ id, namespaceSlug, projectSlug }: { id?: string; namespaceSlug?: string; projectSlug?: string }) => {
        const p = (await projects()).find((x) => (id != null ? x.id === id : x.namespace === namespaceSlug && x.slug === projectSlug));
        return p ? project(p) : null;
      },
      experimentById: async ({ id }: { id: string }) => {
        const e = (await experiments()).find((x) => x.id === id);
        return e ? experiment(e) : null;
      },
      experimentNode: async ({ experimentId }: { experimentId: string }) => {
        const e = (await experiments()).find((x) => x.id === experimentId);
        return e ? node(e, e.projectId) : null;
      },
      projectsPaginated: async ({ namespaceSlug, limit, offset }: { namespaceSlug?: string | null; limit: number; offset: number }) =>
        page((await projects()).filter((p) => p.namespace === (namespaceSlug ?? o.username)).map(project), limit, offset, "projects"),
      experimentsPaginated: async (a: { namespaceSlug?: string | null; projectSlug: string; status?: string | null; limit: number; offset: number }) =>
        page((await inProject(a.namespaceSlug ?? o.username, a.projectSlug)).filter((e) => !a.status || (e.status ?? "RUNNING") === a.status).map(experiment), a.limit, a.offset, "experiments"),
      experiment: async (a: { namespaceSlug?: string | null; projectSlug: string; experimentName: string }) => {
        const ns = a.namespaceSlug ?? o.username;
        const e = (await inProject(ns, a.projectSlug)).find((x) => x.name === a.experimentName || x.prefix === `${ns}/${a.projectSlug}/${a.experimentName}`);
        return e ? experiment(e) : null;
      },
      searchExperimentsPaginated: async ({ pattern, limit, offset }: { pattern: string; limit: number; offset: number }) =>
        page((await experiments()).filter((e) => fnmatch(pattern, e.prefix)).map(experiment), limit, offset, "experiments"),
    };
    return root;
  }

  const handle: GraphqlStub = async (body, headers) => {
    if (o.token !== undefined && headers.authorization !== `Bearer ${o.token}`) return { status: 401, body: { errors: [{ message: "Missing or invalid bearer token" }] } };
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (err) {
      return { status: 200, body: { errors: [{ message: (err as Error).message }] } };
    }
    const invalid = validate(mlDashSchema(), document, VALIDATION_RULES);
    if (invalid.length > 0) return { status: 200, body: { errors: invalid.map((e) => ({ message: e.message })) } };
    const result = await execute({ schema: mlDashSchema(), document, rootValue: context(), variableValues: body.variables ?? null, operationName: body.operationName ?? null });
    return { status: 200, body: result };
  };

  /** Learns projects from `POST namespaces/{ns}/nodes` answers (the proxy's `onExchange`). */
  const observe = (r: RecordedRequest, answer: unknown): void => {
    if (r.method !== "POST" || !r.path.endsWith("/nodes") || r.status >= 300) return;
    const p = (answer as { project?: { id?: unknown; slug?: unknown; name?: unknown; namespace?: unknown; description?: unknown } } | null)?.project;
    if (p && typeof p.id === "string" && typeof p.slug === "string") {
      learned.set(p.id, { id: p.id, slug: p.slug, name: typeof p.name === "string" ? p.name : p.slug, namespace: typeof p.namespace === "string" ? p.namespace : o.username, description: typeof p.description === "string" ? p.description : null });
    }
  };

  return { handle, observe };
}
