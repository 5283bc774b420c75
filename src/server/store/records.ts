/**
 * The records of the {@link RunStore}'s node tree: projects, their folders, experiments, and the
 * folders and files inside an experiment. Ids are opaque strings; paths are the ML-Dash prefix
 * (`namespace/project/folder/.../name`), which is how ML-Dash names a run everywhere.
 */
import type { PlainObject } from "../../model/values.ts";
import type { FileInfo } from "../../files/types.ts";

/** A project: `<namespace>/<slug>`. */
export interface ProjectRecord {
  readonly id: string;
  readonly namespace: string;
  readonly slug: string;
  readonly name: string;
  readonly description: string | null;
  /** `namespace/slug`. */
  readonly path: string;
  readonly createdAt: string;
}

/** A folder of a project (experiments live in folders, or at the project's root). */
export interface FolderRecord {
  readonly id: string;
  readonly name: string;
  /** `namespace/project/.../name`. */
  readonly path: string;
  readonly projectId: string;
  /** The parent folder's id, or `"ROOT"` at the top of the project. */
  readonly parentId: string;
}

/**
 * Which experiment: what every read and write of an experiment's data names. Cheap to get (no
 * attributes are read); pass it back to the store that gave it.
 */
export interface ExperimentRef {
  /** The experiment id (stable across restarts). */
  readonly id: string;
  /** The id of the experiment's node in the tree (the parent of its files and file folders). */
  readonly nodeId: string;
  /** The prefix: `namespace/project/.../name`. */
  readonly path: string;
  readonly name: string;
  readonly projectId: string;
  /** The folder holding it, or `"ROOT"`. */
  readonly parentId: string;
}

/** An experiment with its attributes. */
export interface ExperimentRecord extends ExperimentRef {
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly bindrs: readonly string[];
  readonly metadata: PlainObject | null;
  /** `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, or null when none was recorded (runs written by Python). */
  readonly status: string | null;
  readonly writeProtected: boolean;
  readonly createdAt: string | null;
  /** Last change of the record (status, attributes); null when never changed. */
  readonly updatedAt: string | null;
}

/** A folder inside an experiment's files (`/models/ckpt`). */
export interface FileFolderRecord {
  readonly id: string;
  readonly experimentId: string;
  /** The logical path, with a leading `/`. */
  readonly path: string;
  readonly name: string;
  /** The parent folder's id, or the experiment's node id at the top. */
  readonly parentId: string;
}

/** A file of an experiment: its record (as ML-Dash Python keeps it) and the folder node holding it. */
export interface FileRecord extends FileInfo {
  /** The id of the folder node of `path` (the experiment's node id for `/`). */
  readonly parentId: string;
}

/** Whatever a node id names. */
export type NodeRecord =
  | { readonly kind: "project"; readonly project: ProjectRecord }
  | { readonly kind: "folder"; readonly folder: FolderRecord }
  | { readonly kind: "experiment"; readonly experiment: ExperimentRef }
  | { readonly kind: "file-folder"; readonly folder: FileFolderRecord; readonly experiment: ExperimentRef }
  | { readonly kind: "file"; readonly file: FileRecord; readonly experiment: ExperimentRef };
