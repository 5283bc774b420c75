/**
 * The node tree of the team store: namespaces, projects, folders and experiments as rows, each
 * created by an upsert (`INSERT … ON CONFLICT`) so any number of nodes may create the same run at
 * once. Ids are derived from paths exactly as the `.dash` store derives them, so a run moved in
 * from a `.dash` tree keeps its ids.
 */
import { NotFoundError, ValidationError } from "../../../errors.ts";
import type { ExperimentInfo, RunStatus } from "../../../model/backend.ts";
import type { RunStoreNodes } from "../../store/nodes.ts";
import type { ExperimentRecord, FolderRecord, ProjectRecord } from "../../store/records.ts";
import { nodeId, type NodeKind } from "../dash/ids.ts";
import type postgres from "postgres";
import type { Sql as Pool } from "./pg.ts";

/** A pool or a transaction. */
type Sql = Pool | postgres.TransactionSql;
import { fileRecordOf, folderRecordOf, type FileFolderRow, type FileRow } from "./store-files.ts";
import { experimentRow, iso, isRowId, refOf, type ExperimentRow, type TeamState } from "./store-state.ts";

interface ProjectRow {
  id: string;
  namespace: string;
  slug: string;
  name: string;
  description: string | null;
  created_at: Date;
}

interface FolderRow {
  id: string;
  project_id: string;
  parent_id: string | null;
  path: string;
  name: string;
  project_path: string;
}

const NAMESPACE = "namespace" as NodeKind;

function projectRecord(p: ProjectRow): ProjectRecord {
  return { id: p.id, namespace: p.namespace, slug: p.slug, name: p.name, description: p.description, path: `${p.namespace}/${p.slug}`, createdAt: iso(p.created_at) as string };
}

function folderRecord(f: FolderRow): FolderRecord {
  return { id: f.id, name: f.name, path: `${f.project_path}/${f.path}`, projectId: f.project_id, parentId: f.parent_id ?? "ROOT" };
}

/** The record of an experiment row. */
export function experimentRecord(row: ExperimentRow): ExperimentRecord {
  return {
    ...refOf(row),
    description: row.description,
    tags: row.tags,
    bindrs: row.bindrs,
    metadata: (row.metadata ?? null) as ExperimentRecord["metadata"],
    status: row.status,
    writeProtected: row.write_protected,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

async function upsertProjectRow(sql: Sql, namespace: string, slug: string): Promise<string> {
  const nsId = nodeId(NAMESPACE, namespace);
  const id = nodeId("project", `${namespace}/${slug}`);
  await sql`insert into namespaces (id, slug) values (${nsId}, ${namespace}) on conflict do nothing`;
  await sql`insert into projects (id, namespace_id, slug, name) values (${id}, ${nsId}, ${slug}, ${slug}) on conflict do nothing`;
  return id;
}

async function projectById(sql: Sql, id: string): Promise<ProjectRow | undefined> {
  if (!isRowId(id)) return undefined;
  const [p] = await sql<ProjectRow[]>`select p.id, n.slug as namespace, p.slug, p.name, p.description, p.created_at from projects p join namespaces n on n.id = p.namespace_id where p.id = ${id}`;
  return p;
}

async function folderById(sql: Sql, id: string): Promise<FolderRow | undefined> {
  if (!isRowId(id)) return undefined;
  const [f] = await sql<FolderRow[]>`select f.id, f.project_id, f.parent_id, f.path, f.name, n.slug || '/' || p.slug as project_path
    from folders f join projects p on p.id = f.project_id join namespaces n on n.id = p.namespace_id where f.id = ${id}`;
  return f;
}

/** Creates (or finds) folder `path` (below the project, `a/b`) and its parents; answers its id. */
async function upsertFolderPath(sql: Sql, projectId: string, projectPath: string, segments: readonly string[]): Promise<string | null> {
  let parent: string | null = null;
  for (let k = 0; k < segments.length; k++) {
    const path = segments.slice(0, k + 1).join("/");
    const id = nodeId("folder", `${projectPath}/${path}`);
    await sql`insert into folders (id, project_id, parent_id, path, name) values (${id}, ${projectId}, ${parent}, ${path}, ${segments[k] as string}) on conflict do nothing`;
    parent = id;
  }
  return parent;
}

/** The node tree part of the team store. */
export function teamNodes(state: TeamState): RunStoreNodes {
  const run = state.run.bind(state);
  return {
    async upsertProject(namespace, slug, attributes = {}) {
      return run("upsert a project", async (sql) => {
        const id = await upsertProjectRow(sql, namespace, slug);
        if (attributes.name !== undefined || attributes.description !== undefined) {
          await sql`update projects set name = coalesce(${attributes.name ?? null}, name),
            description = case when ${attributes.description !== undefined} then ${attributes.description ?? null} else description end, updated_at = now() where id = ${id}`;
        }
        return projectRecord((await projectById(sql, id)) as ProjectRow);
      });
    },
    async project(id) {
      const p = await run("read a project", (sql) => projectById(sql, id));
      return p && projectRecord(p);
    },
    async projects(namespace) {
      const rows = await run("list projects", (sql) =>
        namespace === undefined
          ? sql<ProjectRow[]>`select p.id, n.slug as namespace, p.slug, p.name, p.description, p.created_at from projects p join namespaces n on n.id = p.namespace_id`
          : sql<ProjectRow[]>`select p.id, n.slug as namespace, p.slug, p.name, p.description, p.created_at from projects p join namespaces n on n.id = p.namespace_id where n.slug = ${namespace}`,
      );
      return rows.map(projectRecord).sort((a, b) => a.path.localeCompare(b.path));
    },
    async deleteProject(id) {
      // One transaction: the rows go by cascade, and the triggers queue every object they owned
      // in object_gc, so nothing stays behind in the bucket even if this node dies right after.
      const gone = await run("delete a project", (sql) =>
        sql.begin(async (tx) => {
          const p = await projectById(tx, id);
          if (!p) return undefined;
          const [count] = await tx<{ n: number }[]>`select count(*)::int as n from experiments where project_id = ${p.id}`;
          const keys = await tx<{ object_key: string }[]>`select f.object_key from files f join experiments e on e.id = f.experiment_id where e.project_id = ${p.id}
            union all select c.object_key from chunks c join series s on s.id = c.series_id join experiments e on e.id = s.experiment_id where e.project_id = ${p.id}`;
          await tx`delete from projects where id = ${p.id}`;
          return { experiments: count?.n ?? 0, keys: keys.map((k) => k.object_key) };
        }),
      );
      if (!gone) return undefined;
      for (const k of gone.keys) {
        // The queue is the guarantee; deleting now is a courtesy.
        await state.s3.delete(k).then(() => run("object gc", (sql) => sql`delete from object_gc where object_key = ${k}`)).catch(() => undefined);
      }
      return { experiments: gone.experiments };
    },
    async folders(projectId) {
      if (!isRowId(projectId)) return [];
      const rows = await run("list folders", (sql) => sql<FolderRow[]>`select f.id, f.project_id, f.parent_id, f.path, f.name, n.slug || '/' || p.slug as project_path
        from folders f join projects p on p.id = f.project_id join namespaces n on n.id = p.namespace_id where f.project_id = ${projectId}`);
      return rows.map(folderRecord).sort((a, b) => a.path.localeCompare(b.path));
    },
    async upsertFolder(projectId, parentId, name) {
      return run("upsert a folder", async (sql) => {
        const p = await projectById(sql, projectId);
        if (!p) throw new NotFoundError(`Project ${JSON.stringify(projectId)} not found`);
        const projectPath = `${p.namespace}/${p.slug}`;
        let parentPath = "";
        if (parentId !== null && parentId !== "ROOT") {
          const parent = await folderById(sql, parentId);
          if (!parent || parent.project_id !== p.id) throw new NotFoundError(`Parent folder ${JSON.stringify(parentId)} not found in project ${projectPath}`);
          parentPath = parent.path;
        }
        const id = await upsertFolderPath(sql, p.id, projectPath, [...(parentPath === "" ? [] : parentPath.split("/")), name]);
        return folderRecord((await folderById(sql, id as string)) as FolderRow);
      });
    },
    async folder(id) {
      const f = await run("read a folder", (sql) => folderById(sql, id));
      return f && folderRecord(f);
    },
    async openExperiment(info) {
      return experimentRecord(await openExperiment(state, info));
    },
    async experiment(id) {
      if (!isRowId(id)) return undefined;
      const [row] = await run("read an experiment", (sql) => sql<ExperimentRow[]>`select * from experiments where id = ${id}`);
      return row && refOf(row);
    },
    async run(path) {
      const [row] = await run("read an experiment", (sql) => sql<ExperimentRow[]>`select * from experiments where path = ${path}`);
      return row && refOf(row);
    },
    async experiments(query = {}) {
      const prefix = (query.prefix ?? "").replace(/\/+$/, "");
      const rows = await run("list experiments", (sql) =>
        prefix === ""
          ? sql<ExperimentRow[]>`select id, node_id, path, name, project_id, folder_id from experiments`
          : sql<ExperimentRow[]>`select id, node_id, path, name, project_id, folder_id from experiments where path = ${prefix} or left(path, ${prefix.length + 1}) = ${prefix + "/"}`,
      );
      return rows.map(refOf);
    },
    async describe(ref) {
      return experimentRecord(await experimentRow(state, ref));
    },
    async setStatus(ref, status: RunStatus) {
      const [row] = isRowId(ref.id)
        ? await run("set a status", (sql) => sql<ExperimentRow[]>`update experiments set status = ${status}, updated_at = now(),
            ended_at = case when ${status} = 'RUNNING' then null else now() end where id = ${ref.id} returning *`)
        : [];
      if (!row) throw new NotFoundError(`Experiment ${JSON.stringify(ref.id)} not found`);
      return experimentRecord(row);
    },
    async node(id) {
      if (!isRowId(id)) return undefined;
      return run("find a node", async (sql) => {
        const [ff] = await sql<(FileFolderRow & ExperimentRow)[]>`select f.id as ff_id, f.experiment_id, f.path as ff_path, f.name as ff_name, f.parent_id, e.*
          from file_folders f join experiments e on e.id = f.experiment_id where f.id = ${id}`;
        if (ff) return { kind: "file-folder", folder: folderRecordOf(ff), experiment: refOf(ff) };
        const [e] = await sql<ExperimentRow[]>`select * from experiments where node_id = ${id} or id = ${id} limit 1`;
        if (e) return { kind: "experiment", experiment: refOf(e) };
        const f = await folderById(sql, id);
        if (f) return { kind: "folder", folder: folderRecord(f) };
        const p = await projectById(sql, id);
        if (p) return { kind: "project", project: projectRecord(p) };
        const [file] = await sql<(FileRow & { e_path: string; e_node_id: string; e_name: string; e_project_id: string; e_folder_id: string | null })[]>`
          select f.*, e.path as e_path, e.node_id as e_node_id, e.name as e_name, e.project_id as e_project_id, e.folder_id as e_folder_id
          from files f join experiments e on e.id = f.experiment_id where f.id = ${id}`;
        if (file) {
          const ref = refOf({ id: file.experiment_id, node_id: file.e_node_id, path: file.e_path, name: file.e_name, project_id: file.e_project_id, folder_id: file.e_folder_id });
          return { kind: "file", file: fileRecordOf(ref, file), experiment: ref };
        }
        return undefined;
      });
    },
  };
}

/** Creates or resumes the experiment at `info.prefix` with its namespace, project and folders. */
async function openExperiment(state: TeamState, info: ExperimentInfo): Promise<ExperimentRow> {
  const { prefix } = info;
  const segments = prefix.segments;
  if (segments.length < 2) throw new ValidationError(`An experiment needs a prefix of at least namespace/project, got ${JSON.stringify(prefix.path)}`, { field: "prefix" });
  const namespace = segments[0] as string;
  const project = segments[1] as string;
  const folders = segments.slice(2, -1);
  return state.run("open an experiment", (sql) =>
    sql.begin(async (tx) => {
      const projectId = await upsertProjectRow(tx, namespace, project);
      const folderId = await upsertFolderPath(tx, projectId, `${namespace}/${project}`, folders);
      const desc = info.description !== undefined;
      const tags = info.tags !== undefined;
      const bindrs = info.bindrs !== undefined;
      const meta = info.metadata !== undefined;
      const metadata = info.metadata == null ? null : tx.json(info.metadata as never);
      const [row] = await tx<ExperimentRow[]>`
        insert into experiments (id, node_id, project_id, folder_id, path, name, description, tags, bindrs, metadata, started_at)
        values (${nodeId("experiment", prefix.path)}, ${nodeId("experiment-node", prefix.path)}, ${projectId}, ${folderId}, ${prefix.path}, ${prefix.name},
          ${info.description ?? null}, ${tx.array([...(info.tags ?? [])], 25)}, ${tx.array([...(info.bindrs ?? [])], 25)}, ${metadata}, now())
        on conflict (path) do update set
          description = case when ${desc} then excluded.description else experiments.description end,
          tags = case when ${tags} then excluded.tags else experiments.tags end,
          bindrs = case when ${bindrs} then excluded.bindrs else experiments.bindrs end,
          metadata = case when ${meta} then excluded.metadata else experiments.metadata end,
          status = 'RUNNING', ended_at = null, updated_at = now()
        returning *`;
      return row as ExperimentRow;
    }),
  );
}
