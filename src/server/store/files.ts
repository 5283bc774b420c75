/**
 * The files of an experiment in a {@link RunStore}: records as ML-Dash Python keeps them, content
 * streamed in (checked before the record is stored) and out, annotations updated, soft deletes,
 * and the folder nodes a client creates inside an experiment before it uploads.
 */
import type { DeletedFile, FileInfo, FileUpdate, SaveRequest } from "../../files/types.ts";
import type { ExperimentRef, FileFolderRecord, FileRecord } from "./records.ts";

/** Files and file folders. */
export interface RunStoreFiles {
  /** Every file record of the experiment, deleted ones included, in stored order. */
  files(experiment: ExperimentRef): Promise<FileRecord[]>;
  /**
   * Stores content and its record (same folder and name replaces the live file, as Python
   * does). `request.verify` runs once the content is stored and before the record is; a throw
   * removes the content. With an `idempotencyKey` already used, nothing is stored again and the
   * first save's record comes back (a concurrent replay waits for the first).
   */
  saveFile(experiment: ExperimentRef, request: SaveRequest, options?: { readonly idempotencyKey?: string | undefined }): Promise<FileRecord>;
  /** The whole content of a file; `NotFoundError` when its bytes are missing. */
  readFile(experiment: ExperimentRef, file: FileInfo): Promise<ReadableStream<Uint8Array>>;
  /** Changes description, tags and metadata; `NotFoundError` for an unknown or deleted id. */
  updateFile(experiment: ExperimentRef, id: string, patch: FileUpdate): Promise<FileRecord>;
  /**
   * Soft delete (the record stays, with `deletedAt`: `options.deletedAt`, a copy's time as
   * `ml-dash upload` sends it, else now); `NotFoundError` for an unknown or deleted id.
   */
  deleteFile(experiment: ExperimentRef, id: string, options?: { readonly deletedAt?: string | undefined }): Promise<DeletedFile>;
  /**
   * The logical folder (`/models`) of a parent node: `/` for the experiment itself (its node
   * id, its id, `ROOT`, or none), else a file folder of this experiment; undefined otherwise.
   */
  fileFolderPath(experiment: ExperimentRef, parentId: string | undefined): Promise<string | undefined>;
  /** Creates (or finds) the folder `name` inside the logical folder `parentPath`. */
  upsertFileFolder(experiment: ExperimentRef, parentPath: string, name: string): Promise<FileFolderRecord>;
}
