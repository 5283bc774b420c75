/**
 * The node tree of a {@link RunStore}: projects, folders and experiments (each created by an
 * upsert, as ML-Dash does), experiment attributes and status, and lookups by id, by node id and
 * by path.
 */
import type { ExperimentInfo, RunStatus } from "../../model/backend.ts";
import type { ExperimentRecord, ExperimentRef, FolderRecord, NodeRecord, ProjectRecord } from "./records.ts";

/** Filters of {@link RunStoreNodes.experiments}. */
export interface ExperimentQuery {
  /** Only the experiment at this prefix and those below it (`alice/mnist`). */
  readonly prefix?: string | undefined;
}

/** Projects, folders and experiments. */
export interface RunStoreNodes {
  /**
   * Creates the project `namespace/slug`, or finds it; `name` and `description`, when given,
   * replace the stored ones.
   */
  upsertProject(namespace: string, slug: string, attributes?: { readonly name?: string | undefined; readonly description?: string | null | undefined }): Promise<ProjectRecord>;
  /** The project `id`, if any. */
  project(id: string): Promise<ProjectRecord | undefined>;
  /** Every project (only `namespace`'s when given), sorted by path: those holding runs and those created empty. */
  projects(namespace?: string): Promise<ProjectRecord[]>;
  /**
   * Deletes the project `id` with every experiment in it (records, streams, files); resolves to
   * the number of experiments deleted, or undefined when there is no such project.
   */
  deleteProject(id: string): Promise<{ readonly experiments: number } | undefined>;
  /**
   * Creates the folder `name` under `parentId` (null = the project's root), or finds it. A
   * `parentId` that is no folder of the project is a `NotFoundError`.
   */
  upsertFolder(projectId: string, parentId: string | null, name: string): Promise<FolderRecord>;
  /** The project folder `id`, if any. */
  folder(id: string): Promise<FolderRecord | undefined>;
  /** Every folder of the project `projectId` (created ones, and those holding runs), sorted by path. */
  folders(projectId: string): Promise<FolderRecord[]>;
  /**
   * Creates or resumes the experiment at `info.prefix` (its project and folders come with it):
   * attributes given are merged into the stored ones and the status becomes RUNNING.
   */
  openExperiment(info: ExperimentInfo): Promise<ExperimentRecord>;
  /** The experiment `id` (also found when it was written since the store started), if any. */
  experiment(id: string): Promise<ExperimentRef | undefined>;
  /** The experiment at `path` (`namespace/project/.../name`), if there is one. */
  run(path: string): Promise<ExperimentRef | undefined>;
  /** Every experiment (under `prefix` when given), in no particular order. */
  experiments(query?: ExperimentQuery): Promise<ExperimentRef[]>;
  /** The experiment's attributes. */
  describe(experiment: ExperimentRef): Promise<ExperimentRecord>;
  /** Records a run status; resolves to the updated record. */
  setStatus(experiment: ExperimentRef, status: RunStatus): Promise<ExperimentRecord>;
  /** Whatever node `id` names (a project, folder, experiment, file folder or file, deleted files included), if anything. */
  node(id: string): Promise<NodeRecord | undefined>;
}
