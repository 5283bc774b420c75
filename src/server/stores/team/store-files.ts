/**
 * Files of the team store: records in PostgreSQL, content in S3 (one object per record, never
 * rewritten). Content is streamed in (a multipart upload for large files, with a streamed
 * SHA-256), checked by the request's `verify`, and only then recorded: a failed check removes
 * the object. Saving the same folder and name again replaces the live record in one transaction
 * (the old row goes, its object is queued for deletion by the schema's trigger). An idempotency
 * key is unique per experiment, so a retried save on any node answers the first record.
 */
import { NotFoundError } from "../../../errors.ts";
import { newFileId } from "../../../files/local-file-store.ts";
import { joinDir } from "../../../files/names.ts";
import type { FileInfo } from "../../../files/types.ts";
import { isoMicros } from "../../../internal/clock.ts";
import type { RunStoreFiles } from "../../store/files.ts";
import type { ExperimentRef, FileFolderRecord, FileRecord } from "../../store/records.ts";
import { nodeId } from "../dash/ids.ts";
import { errorCode } from "./secrets.ts";
import { isRowId, type TeamState } from "./store-state.ts";

/** A `files` row. */
export interface FileRow {
  id: string;
  experiment_id: string;
  path: string;
  filename: string;
  content_type: string | null;
  size_bytes: string;
  sha256: string;
  object_key: string;
  description: string | null;
  tags: string[];
  bindrs: string[];
  metadata: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** A `file_folders` row (columns renamed where they meet an experiment's). */
export interface FileFolderRow {
  ff_id: string;
  experiment_id: string;
  ff_path: string;
  ff_name: string;
  parent_id: string;
}

const time = (d: Date | null): string | null => (d === null ? null : isoMicros(d.getTime()));

/** The id of the folder node at `path` (`/a/b`) of an experiment; the experiment's node for `/` (as the `.dash` store derives it). */
export function folderIdOf(ref: ExperimentRef, path: string): string {
  return path === "/" ? ref.nodeId : nodeId("file-folder", `${ref.path}:${path}`);
}

/** The record of a file row, as ML-Dash Python keeps it. */
export function fileRecordOf(ref: ExperimentRef, row: FileRow): FileRecord {
  const project = ref.path.split("/")[1] ?? "None";
  const info: FileInfo = {
    id: row.id,
    experimentId: `${project}/${ref.path}`,
    path: row.path,
    filename: row.filename,
    description: row.description,
    tags: row.tags,
    bindrs: row.bindrs,
    contentType: row.content_type ?? "application/octet-stream",
    sizeBytes: Number(row.size_bytes),
    checksum: row.sha256,
    metadata: (row.metadata ?? null) as FileInfo["metadata"],
    uploadedAt: time(row.created_at) as string,
    updatedAt: time(row.updated_at) as string,
    deletedAt: time(row.deleted_at),
  };
  return { ...info, parentId: folderIdOf(ref, row.path) };
}

/** The record of a file folder row. */
export function folderRecordOf(row: FileFolderRow): FileFolderRecord {
  return { id: row.ff_id, experimentId: row.experiment_id, path: row.ff_path, name: row.ff_name, parentId: row.parent_id };
}

/** The live (or any, with `deleted`) file `id` of an experiment. */
export async function fileRow(state: TeamState, ref: ExperimentRef, id: string, deleted = false): Promise<FileRow | undefined> {
  if (!isRowId(id)) return undefined;
  const [row] = await state.run("read a file", (sql) =>
    deleted ? sql<FileRow[]>`select * from files where id = ${id} and experiment_id = ${ref.id}` : sql<FileRow[]>`select * from files where id = ${id} and experiment_id = ${ref.id} and deleted_at is null`,
  );
  return row;
}

/** Creates the folder rows of `path` (`/a/b`) and its parents. */
async function ensureFolders(state: TeamState, ref: ExperimentRef, path: string): Promise<void> {
  let parent = ref.nodeId;
  let at = "/";
  for (const name of path.split("/").filter(Boolean)) {
    at = joinDir(at, name);
    const id = folderIdOf(ref, at);
    await state.run("create a file folder", (sql) => sql`insert into file_folders (id, experiment_id, path, name, parent_id) values (${id}, ${ref.id}, ${at}, ${name}, ${parent}) on conflict do nothing`);
    parent = id;
  }
}

/** The files part of the team store. */
export function teamFiles(state: TeamState): RunStoreFiles {
  const { s3 } = state;
  const byKey = async (ref: ExperimentRef, key: string): Promise<FileRow | undefined> => {
    const [row] = await state.run("read a file", (sql) => sql<FileRow[]>`select * from files where experiment_id = ${ref.id} and idempotency_key = ${key}`);
    return row;
  };
  return {
    async files(ref) {
      const rows = await state.run("list files", (sql) => sql<FileRow[]>`select * from files where experiment_id = ${ref.id} order by created_at, id`);
      return rows.map((r) => fileRecordOf(ref, r));
    },
    async saveFile(ref, request, options = {}) {
      const key = options.idempotencyKey || undefined;
      if (key !== undefined) {
        const prior = await byKey(ref, key);
        if (prior) return fileRecordOf(ref, prior);
      }
      const id = newFileId();
      const objectKey = `files/${ref.id}/${id}`;
      const c = request.content;
      const put = c.kind === "bytes" ? await s3.put(objectKey, c.bytes, { contentType: request.contentType }) : await s3.putStream(objectKey, c.stream, { contentType: request.contentType, ...(c.size === undefined ? {} : { sizeHint: c.size }) });
      try {
        await request.verify?.({ size: put.size, checksum: put.sha256 });
      } catch (e) {
        await s3.delete(objectKey).catch(() => undefined);
        throw e;
      }
      await ensureFolders(state, ref, request.path);
      for (let attempt = 0; ; attempt++) {
        try {
          const { row, replaced, prior } = await state.run("save a file", (sql) =>
            sql.begin(async (tx) => {
              if (key !== undefined) {
                // Saved meanwhile by a concurrent request with the same key (on any node): that record stands.
                const [first] = await tx<FileRow[]>`select * from files where experiment_id = ${ref.id} and idempotency_key = ${key}`;
                if (first) return { row: first, replaced: [] as string[], prior: true };
              }
              // The name's live file is replaced, unless it is a concurrent save's record with our
              // key: each statement here sees what committed before it (READ COMMITTED), so that
              // record may have appeared since the check above. Kept, it makes our insert fail
              // on the key, and the retry below answers it.
              const gone = await tx<{ object_key: string }[]>`delete from files where experiment_id = ${ref.id} and path = ${request.path} and filename = ${request.filename} and deleted_at is null
                and (${key ?? null}::text is null or idempotency_key is distinct from ${key ?? null}::text) returning object_key`;
              // An upload's copy keeps the time its record was first stored (created = updated then).
              const at = request.uploadedAt ?? null;
              const [row] = await tx<FileRow[]>`insert into files (id, experiment_id, path, filename, content_type, size_bytes, sha256, object_key, description, tags, bindrs, metadata, idempotency_key, created_at, updated_at)
                values (${id}, ${ref.id}, ${request.path}, ${request.filename}, ${request.contentType}, ${put.size}, ${put.sha256}, ${objectKey}, ${request.description},
                  ${tx.array([...request.tags], 25)}, ${tx.array([...request.bindrs], 25)}, ${request.metadata === null ? null : tx.json(request.metadata as never)}, ${key ?? null},
                  coalesce(${at}::timestamptz, now()), coalesce(${at}::timestamptz, now()))
                returning *`;
              return { row: row as FileRow, replaced: gone.map((g) => g.object_key), prior: false };
            }),
          );
          if (prior) await s3.delete(objectKey).catch(() => undefined);
          for (const k of replaced) {
            // The trigger queued it; deleting now is a courtesy (the queue is the guarantee).
            await s3.delete(k).then(() => state.run("object gc", (sql) => sql`delete from object_gc where object_key = ${k}`)).catch(() => undefined);
          }
          return fileRecordOf(ref, row);
        } catch (e) {
          if (!/(^|_)23505$/.test(errorCode(e) ?? "") || attempt >= 3) {
            await s3.delete(objectKey).catch(() => undefined);
            throw e;
          }
          // Another node saved with the same key (answer its record) or the same name (go again: replace it).
          const prior = key === undefined ? undefined : await byKey(ref, key);
          if (prior) {
            await s3.delete(objectKey).catch(() => undefined);
            return fileRecordOf(ref, prior);
          }
        }
      }
    },
    async readFile(ref, file) {
      const row = await fileRow(state, ref, file.id, true);
      if (!row) throw new NotFoundError(`File ${file.id} (${file.filename}) not found`);
      return (await s3.get(row.object_key)).body;
    },
    async updateFile(ref, id, patch) {
      const [row] = isRowId(id)
        ? await state.run("update a file", (sql) => sql<FileRow[]>`update files set
            description = case when ${patch.description !== undefined} then ${patch.description ?? null} else description end,
            tags = case when ${patch.tags !== undefined} then ${sql.array([...(patch.tags ?? [])], 25)} else tags end,
            metadata = case when ${patch.metadata !== undefined} then ${patch.metadata == null ? null : sql.json(patch.metadata as never)}::jsonb else metadata end,
            updated_at = now()
          where id = ${id} and experiment_id = ${ref.id} and deleted_at is null returning *`)
        : [];
      if (!row) throw new NotFoundError(`File ${JSON.stringify(id)} not found`);
      return fileRecordOf(ref, row);
    },
    async deleteFile(ref, id, options = {}) {
      const at = options.deletedAt ?? null;
      const [row] = isRowId(id)
        ? await state.run("delete a file", (sql) => sql<FileRow[]>`update files set deleted_at = coalesce(${at}::timestamptz, now()) where id = ${id} and experiment_id = ${ref.id} and deleted_at is null returning *`)
        : [];
      if (!row) throw new NotFoundError(`File ${JSON.stringify(id)} not found`);
      return { id: row.id, deletedAt: time(row.deleted_at) as string };
    },
    async fileFolderPath(ref, parentId) {
      if (parentId === undefined || parentId === "" || parentId === "ROOT" || parentId === ref.nodeId || parentId === ref.id) return "/";
      if (!isRowId(parentId)) return undefined;
      const [row] = await state.run("read a file folder", (sql) => sql<{ path: string }[]>`select path from file_folders where id = ${parentId} and experiment_id = ${ref.id}`);
      return row?.path;
    },
    async upsertFileFolder(ref, parentPath, name) {
      const path = joinDir(parentPath, name);
      await ensureFolders(state, ref, path);
      return { id: folderIdOf(ref, path), experimentId: ref.id, path, name, parentId: folderIdOf(ref, parentPath) };
    },
  };
}
