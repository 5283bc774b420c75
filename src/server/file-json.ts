/**
 * The JSON shapes of files in answers: the flattened record (Python's shape of an uploaded
 * file), the file node and its `physicalFile` (as ML-Dash's server answers), and the checks of names and
 * content types a client sends.
 */
import { ValidationError } from "../errors.ts";
import { checkFilename, fullPath } from "../files/names.ts";
import { contentTypeOf } from "../files/mime.ts";
import type { FileInfo } from "../files/types.ts";
import { HttpError } from "./http-error.ts";
import type { ExperimentRef, FileRecord } from "./store/records.ts";

/** The flattened record (the shape Python's client flattens an uploaded file's answer into, plus `bindrs`). */
export function fileJson(e: ExperimentRef, f: FileInfo): Record<string, unknown> {
  return {
    id: f.id,
    experimentId: e.id,
    path: f.path,
    filename: f.filename,
    description: f.description,
    tags: f.tags,
    bindrs: f.bindrs,
    contentType: f.contentType,
    sizeBytes: f.sizeBytes,
    checksum: f.checksum,
    metadata: f.metadata,
    uploadedAt: f.uploadedAt,
    updatedAt: f.updatedAt,
    deletedAt: f.deletedAt,
  };
}

/** `physicalFile` of a file node. */
export function physicalJson(f: FileInfo): Record<string, unknown> {
  return { id: f.id, filename: f.filename, contentType: f.contentType, sizeBytes: f.sizeBytes, checksum: f.checksum, s3Url: null };
}

/** A file node, as `GET nodes/{id}` shows it (without `physicalFile` when `physical` is false). */
export function fileNodeJson(e: ExperimentRef, f: FileRecord, physical = true): Record<string, unknown> {
  const node: Record<string, unknown> = {
    id: f.id,
    type: "FILE",
    name: f.filename,
    experimentId: e.id,
    projectId: e.projectId,
    parentId: f.parentId,
    path: f.path,
    pPath: "/" + fullPath(f.path, f.filename),
    description: f.description,
    tags: f.tags,
    bindrs: f.bindrs,
    metadata: f.metadata,
    createdAt: f.uploadedAt,
    updatedAt: f.updatedAt,
    deletedAt: f.deletedAt,
  };
  if (physical) node["physicalFile"] = physicalJson(f);
  return node;
}

/** Checks a folder or file name sent by a client; 400 naming `field`. */
export function checkName(name: string, field: string): string {
  try {
    return checkFilename(name, field);
  } catch (err) {
    if (err instanceof ValidationError) throw new HttpError(400, err.message, { field });
    throw err;
  }
}

/** The content type of an uploaded part: what the client said, else guessed from the name (as Python's local store does). */
export function partType(declared: string | undefined, name: string): string {
  const t = declared?.trim();
  return t && /^[\w.+-]+\/[\w.+-]+/.test(t) ? t : contentTypeOf(name);
}
