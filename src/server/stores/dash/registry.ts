/**
 * What the `.dash` store knows: projects, folders and experiments, by id and by path, over a
 * `.dash` tree. The tree is the state: at start (and when an unknown id is asked for) every run
 * of the tree is indexed, so `ml-dash serve` over an existing `.dash` (written by this SDK or by
 * Python) shows the runs already there, with the same ids after a restart.
 *
 * Each experiment is written through the SDK's own {@link LocalBackend}, so the server writes
 * exactly the layout the SDK writes locally.
 */
import type { ExperimentInfo } from "../../../model/backend.ts";
import { NotFoundError } from "../../../errors.ts";
import { NamedMutex } from "../../../internal/mutex.ts";
import type { PlainObject } from "../../../model/values.ts";
import { paths } from "../../../layout/paths.ts";
import { encodeDoc } from "../../../layout/records.ts";
import { listStreams } from "../../../layout/list-streams.ts";
import { findRunFolders } from "../../../layout/run-folders.ts";
import { LocalBackend } from "../../../backends/local/local-backend.ts";
import { LocalReader } from "../../../backends/local/local-reader.ts";
import { parsePrefix } from "../../../model/prefix.ts";
import type { StorageAdapter } from "../../../storage/contract.ts";
import { nodeId } from "./ids.ts";
import { readJsonDoc } from "../../../layout/json-doc.ts";
import type { EncoderPool } from "../../../backends/local/encoder-pool.ts";
import type { ExperimentRef } from "../../store/records.ts";
import type { StreamPosition } from "../../store/streams.ts";
import { WriterPositions } from "./writers.ts";

/** A project: `<namespace>/<slug>`. */
export interface ProjectNode {
  readonly id: string;
  readonly namespace: string;
  readonly slug: string;
  name: string;
  description: string | null;
  readonly path: string;
  readonly createdAt: string;
}

/** A folder inside a project. */
export interface FolderNode {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly projectId: string;
  readonly parentId: string;
}

/** An experiment folder of the tree (its `path` is the folder under the root: `ns/project/.../name`). */
export interface ExperimentEntry extends ExperimentRef {
  readonly backend: LocalBackend;
  readonly reader: LocalReader;
}

const encoder = new TextEncoder();
const RESCAN_MS = 2000;

/** The index of a `.dash` tree. */
export class Registry {
  readonly projects: Map<string, ProjectNode> = new Map();
  readonly folders: Map<string, FolderNode> = new Map();
  readonly experiments: Map<string, ExperimentEntry> = new Map();
  private readonly byPath = new Map<string, ExperimentEntry>();
  private readonly byNode = new Map<string, ExperimentEntry>();
  /** Serialises writes of one experiment's experiment.json and of one stream. */
  readonly locks: NamedMutex = new NamedMutex();
  /** Where each writer's own numbering ends, per run and stream. */
  readonly writers: WriterPositions;
  private lastScan = 0;
  private scanning: Promise<void> | undefined;

  constructor(
    readonly storage: StorageAdapter,
    private readonly encoder?: EncoderPool,
  ) {
    this.writers = new WriterPositions(storage, this.locks);
  }

  /** Indexes every experiment of the tree (again). */
  scan(): Promise<void> {
    this.scanning ??= this.doScan().finally(() => {
      this.scanning = undefined;
      this.lastScan = Date.now();
    });
    return this.scanning;
  }

  private async doScan(): Promise<void> {
    for (const path of await findRunFolders(this.storage)) {
      if (this.byPath.has(path)) continue;
      try {
        parsePrefix(path);
      } catch {
        continue;
      }
      await this.ensure(path);
    }
  }

  /** Rescans when the last scan is older than a couple of seconds (runs may have been written since). */
  async refresh(): Promise<void> {
    if (Date.now() - this.lastScan > RESCAN_MS) await this.scan();
  }

  /** The experiment `id`; an unknown id triggers a rescan (runs may have been written since). */
  async experiment(id: string): Promise<ExperimentEntry | undefined> {
    let e = this.experiments.get(id);
    if (!e) {
      await this.refresh();
      e = this.experiments.get(id);
    }
    return e;
  }

  /** The experiment whose node id (or id) is `id`, if any. */
  experimentByNode(id: string): ExperimentEntry | undefined {
    return this.byNode.get(id) ?? this.experiments.get(id);
  }

  /** The experiment indexed at `path`, if any. */
  byFolder(path: string): ExperimentEntry | undefined {
    return this.byPath.get(path);
  }

  /** The experiment folder at `path` (which must hold an experiment.json), indexed on first sight with its stored id. */
  async ensure(path: string): Promise<ExperimentEntry> {
    const known = this.byPath.get(path);
    if (known) return known;
    const doc = await this.readDoc(path);
    const id = typeof doc?.["id"] === "string" ? (doc["id"] as string) : undefined;
    // A folder shallower than `owner/project` is read as a run but not indexed as one.
    if (!path.includes("/")) return this.entry(path, id, "", "ROOT");
    return this.byPath.get(path) ?? this.register(path, id);
  }

  /** Creates (or finds) the project `namespace/slug`. */
  upsertProject(namespace: string, slug: string, name?: string, description?: string | null): ProjectNode {
    const path = `${namespace}/${slug}`;
    const id = nodeId("project", path);
    let p = this.projects.get(id);
    if (!p) {
      p = { id, namespace, slug, name: name ?? slug, description: description ?? null, path, createdAt: new Date().toISOString() };
      this.projects.set(id, p);
    } else {
      if (name !== undefined) p.name = name;
      if (description !== undefined) p.description = description;
    }
    return p;
  }

  /** Creates (or finds) the folder `name` under `parentId` ("ROOT" = the project); `NotFoundError` for a parent outside the project. */
  upsertFolder(project: ProjectNode, parentId: string, name: string): FolderNode {
    const parentPath = parentId === "ROOT" ? project.path : this.folders.get(parentId)?.path;
    if (parentPath === undefined || (parentId !== "ROOT" && this.folders.get(parentId)?.projectId !== project.id)) {
      throw new NotFoundError(`Parent folder ${JSON.stringify(parentId)} not found in project ${project.path}`);
    }
    const path = `${parentPath}/${name}`;
    const id = nodeId("folder", path);
    let f = this.folders.get(id);
    if (!f) this.folders.set(id, (f = { id, name, path, projectId: project.id, parentId }));
    return f;
  }

  /**
   * Creates or resumes the experiment at `path` (an upsert, as ML-Dash does): experiment.json
   * is merged and marked RUNNING, and its id is persisted there.
   */
  async openExperiment(path: string, info: ExperimentInfo): Promise<{ entry: ExperimentEntry; doc: Record<string, unknown> }> {
    const existing = this.byPath.get(path) ?? this.register(path, undefined);
    return this.locks.run(`doc:${path}`, async () => {
      const state = await existing.backend.open(info);
      let doc = state.data;
      if (doc["id"] !== existing.id) {
        doc = { ...doc, id: existing.id };
        await this.storage.write(paths.experiment(path), encoder.encode(encodeDoc(doc)));
      }
      return { entry: existing, doc };
    });
  }

  /** Records a run status in experiment.json. */
  setStatus(entry: ExperimentEntry, status: "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED"): Promise<void> {
    return this.locks.run(`doc:${entry.path}`, () => entry.backend.setStatus(status));
  }

  /** The experiment's experiment.json (with its id). */
  async doc(entry: ExperimentEntry): Promise<Record<string, unknown>> {
    return { ...((await this.readDoc(entry.path)) ?? {}), id: entry.id };
  }

  /** Where every stream of the experiment ends. */
  async positions(entry: ExperimentEntry): Promise<StreamPosition[]> {
    const out: StreamPosition[] = [];
    // Read only: another process may be appending to this run (a torn line is its append in progress).
    for (const { id } of await listStreams(this.storage, entry.path)) out.push({ stream: id, next: await entry.backend.position(id) });
    return out;
  }

  /**
   * Deletes the project's folder from storage and forgets it, its folders and its experiments;
   * resolves to the experiments it held.
   */
  async deleteProject(project: ProjectNode): Promise<ExperimentEntry[]> {
    const under = project.path + "/";
    const gone = [...this.byPath.values()].filter((e) => e.path.startsWith(under));
    await this.storage.deletePrefix(project.path);
    for (const e of gone) {
      this.experiments.delete(e.id);
      this.byPath.delete(e.path);
      this.byNode.delete(e.nodeId);
      this.writers.forget(e.path);
    }
    for (const [id, f] of this.folders) if (f.projectId === project.id) this.folders.delete(id);
    this.projects.delete(project.id);
    return gone;
  }

  /** Indexes the experiment folder at `path` with its project and folders. */
  private register(path: string, storedId: string | undefined): ExperimentEntry {
    const segments = path.split("/");
    const namespace = segments[0] as string;
    const project = this.upsertProject(namespace, segments[1] as string);
    let parentId = "ROOT";
    for (const name of segments.slice(2, -1)) parentId = this.upsertFolder(project, parentId, name).id;
    const entry = this.entry(path, storedId, project.id, parentId);
    this.experiments.set(entry.id, entry);
    this.byPath.set(path, entry);
    this.byNode.set(entry.nodeId, entry);
    return entry;
  }

  private entry(path: string, storedId: string | undefined, projectId: string, parentId: string): ExperimentEntry {
    return {
      id: storedId ?? nodeId("experiment", path),
      nodeId: nodeId("experiment-node", path),
      path,
      name: path.slice(path.lastIndexOf("/") + 1),
      projectId,
      parentId,
      backend: new LocalBackend(this.storage, path, undefined, this.encoder),
      reader: new LocalReader(this.storage, path, true), // answers keep `1.0` a float for Python
    };
  }

  private readDoc(path: string): Promise<PlainObject | undefined> {
    return readJsonDoc(this.storage, paths.experiment(path));
  }
}
