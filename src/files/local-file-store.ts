/**
 * The files of a run in a local store, laid out as ML-Dash Python does:
 * content at `files/<path>/<id>/<filename>`, records in `files/.files_metadata.json`.
 */
import { NotFoundError, StorageError, storageError } from "../errors.ts";
import { nowIso } from "../internal/clock.ts";
import type { PlainObject } from "../model/values.ts";
import { paths } from "../layout/paths.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import { DEFAULT_MAX_FILE_BYTES } from "../model/defaults.ts";
import type { WriteOptions } from "./content.ts";
import { FilesMetadata, type FileRecords } from "./metadata-store.ts";
import { contentDir, contentKey } from "./names.ts";
import { checkKeyLength, shown } from "../model/names.ts";
import { sha256Hex, type Sha256 } from "./sha256.ts";
import type { DeletedFile, FileInfo, FileStore, FileUpdate, SaveRequest } from "./types.ts";

/** One metadata document per adapter and folder, shared by every experiment object using it. */
const shared = new WeakMap<StorageAdapter, Map<string, FilesMetadata>>();

function metadataFor(storage: StorageAdapter, key: string): FilesMetadata {
  let byKey = shared.get(storage);
  if (!byKey) shared.set(storage, (byKey = new Map()));
  let m = byKey.get(key);
  if (!m) byKey.set(key, (m = new FilesMetadata(storage, key)));
  return m;
}

let lastId = 0n;

/**
 * A new local file id: `(unixMs << 12) | random 12 bits`, as Python's local store makes them,
 * kept strictly increasing within this process so two saves in one millisecond never collide.
 */
export function newFileId(nowMs: number = Date.now()): string {
  const rand = BigInt(Math.floor(Math.random() * 4096));
  let id = (BigInt(Math.floor(nowMs)) << 12n) | rand;
  if (id <= lastId) id = lastId + 1n;
  lastId = id;
  return id.toString();
}

/** Files in the `files/` folder of one experiment of a {@link StorageAdapter}. */
export class LocalFileStore implements FileStore {
  private readonly filesDir: string;
  private readonly meta: FilesMetadata;

  constructor(
    private readonly storage: StorageAdapter,
    /** The experiment folder (`owner/project/.../name`). */
    dir: string,
    /** `"<project>/<prefix>"`, what Python records as `experimentId`. */
    private readonly experimentId: string,
    private readonly writeOptions: WriteOptions,
  ) {
    this.filesDir = paths.filesDir(dir);
    this.meta = metadataFor(storage, paths.filesMeta(dir));
  }

  async save(req: SaveRequest): Promise<FileInfo> {
    const id = newFileId();
    const key = contentKey(this.filesDir, req.path, id, req.filename);
    // Refused before a byte is written: a key no store can hold (the whole key over 1024 bytes).
    checkKeyLength(key, "name", `file name ${shown(req.filename)} in ${shown(req.path)}`);
    let written: { size: number; checksum: string };
    try {
      // The writing code (bounded streams, hashing) loads with the first save: a hybrid run opens
      // this store at start to compare its files with the server's, and may never save one.
      const { writeContent } = await import("./content.ts");
      written = await writeContent(this.storage, key, req.content, this.writeOptions);
      await req.verify?.(written);
    } catch (err) {
      await this.storage.deletePrefix(contentDir(this.filesDir, req.path, id)).catch(() => undefined);
      throw err;
    }
    const { size, checksum } = written;
    const now = req.uploadedAt ?? nowIso();
    const record: FileInfo = {
      id,
      experimentId: this.experimentId,
      path: req.path,
      filename: req.filename,
      description: req.description,
      tags: [...req.tags],
      bindrs: [...req.bindrs],
      contentType: req.contentType,
      sizeBytes: size,
      checksum,
      metadata: req.metadata,
      uploadedAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    let replaced: PlainObject | undefined;
    try {
      replaced = await this.meta.change((recs) => {
        const i = recs.indexOfLive(req.path, req.filename);
        const old = i >= 0 ? recs.all[i] : undefined;
        if (i >= 0) recs.set(i, record as unknown as PlainObject);
        else recs.push(record as unknown as PlainObject);
        return old;
      });
    } catch (err) {
      await this.storage.deletePrefix(contentDir(this.filesDir, req.path, id)).catch(() => undefined);
      throw err;
    }
    // Python's overwrite rule: the replaced entry's bytes go (after the new record is stored).
    if (replaced && typeof replaced["id"] === "string") {
      const oldDir = contentDir(this.filesDir, String(replaced["path"] ?? "/"), replaced["id"]);
      await this.storage.deletePrefix(oldDir).catch(() => undefined);
    }
    return copy(record);
  }

  async records(): Promise<FileInfo[]> {
    return this.meta.read((recs) => recs.all.map((r) => toInfo(r)));
  }

  async read(file: FileInfo): Promise<Uint8Array> {
    const key = this.keyOf(file);
    let bytes: Uint8Array | null;
    try {
      bytes = await this.storage.read(key);
    } catch (err) {
      throw storageError("read", key, err);
    }
    if (bytes === null) throw new NotFoundError(`File ${file.id} (${file.filename}) is listed but its content is missing at ${key}`);
    const sum = await sha256Hex(bytes);
    if (file.checksum && sum !== file.checksum) {
      throw new StorageError(`Checksum verification failed for file ${file.id} (${file.filename}): stored ${file.checksum}, read ${sum}`, {
        code: "CHECKSUM",
      });
    }
    return bytes;
  }

  async stream(file: FileInfo): Promise<ReadableStream<Uint8Array>> {
    const key = this.keyOf(file);
    let s: ReadableStream<Uint8Array> | null;
    try {
      s = this.storage.readStream ? await this.storage.readStream(key) : await this.storage.read(key).then((b) => (b === null ? null : oneChunk(b)));
    } catch (err) {
      throw storageError("read", key, err);
    }
    if (s === null) throw new NotFoundError(`File ${file.id} (${file.filename}) is listed but its content is missing at ${key}`);
    return s;
  }

  /** Soft delete; `deletedAt`: the time a copy's record was deleted (`ml-dash upload`), else now. */
  delete(id: string, deletedAt?: string): Promise<DeletedFile> {
    return this.meta.change((recs) => {
      const i = findId(recs, id);
      const r = recs.all[i] as PlainObject;
      if (r["deletedAt"] != null) throw new NotFoundError(`File ${id} already deleted`);
      const now = deletedAt ?? nowIso();
      recs.set(i, { ...r, updatedAt: now, deletedAt: now });
      return { id, deletedAt: now };
    });
  }

  update(id: string, patch: FileUpdate): Promise<FileInfo> {
    return this.meta.change((recs) => {
      const i = findId(recs, id);
      const r = recs.all[i] as PlainObject;
      if (r["deletedAt"] != null) throw new NotFoundError(`File ${id} has been deleted`);
      const next: PlainObject = { ...r };
      if (patch.description !== undefined) next["description"] = patch.description;
      if (patch.tags !== undefined) next["tags"] = [...patch.tags];
      if (patch.metadata !== undefined) next["metadata"] = patch.metadata as PlainObject | null;
      next["updatedAt"] = nowIso();
      recs.set(i, next);
      return toInfo(next);
    });
  }

  private keyOf(file: FileInfo): string {
    return contentKey(this.filesDir, file.path, file.id, file.filename);
  }
}

function findId(recs: FileRecords, id: string): number {
  const i = recs.indexOfId(id);
  if (i < 0) throw new NotFoundError(`File ${id} not found`);
  return i;
}

/** A record as the API returns it: a copy, with Python's defaults for keys an older writer left out. */
function toInfo(r: PlainObject): FileInfo {
  return copy({
    id: String(r["id"]),
    experimentId: String(r["experimentId"] ?? ""),
    path: typeof r["path"] === "string" ? r["path"] : "/",
    filename: String(r["filename"] ?? ""),
    description: (r["description"] as string | null | undefined) ?? null,
    tags: Array.isArray(r["tags"]) ? (r["tags"] as string[]) : [],
    bindrs: Array.isArray(r["bindrs"]) ? (r["bindrs"] as string[]) : [],
    contentType: String(r["contentType"] ?? "application/octet-stream"),
    sizeBytes: Number(r["sizeBytes"] ?? 0),
    checksum: String(r["checksum"] ?? ""),
    metadata: (r["metadata"] as PlainObject | null | undefined) ?? null,
    uploadedAt: String(r["uploadedAt"] ?? ""),
    updatedAt: String(r["updatedAt"] ?? ""),
    deletedAt: (r["deletedAt"] as string | null | undefined) ?? null,
  });
}

function copy(f: FileInfo): FileInfo {
  return { ...f, tags: [...f.tags], bindrs: [...f.bindrs], metadata: f.metadata === null ? null : structuredClone(f.metadata) };
}

function oneChunk(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

/**
 * The local file store of an experiment folder, with Python's `experimentId` and the runtime's
 * fastest incremental SHA-256.
 */
export function localFileStoreFor(
  storage: StorageAdapter,
  prefix: { readonly path: string; readonly project: string | undefined },
  runtime: { sha256?(): Sha256 },
  maxBytes: number = DEFAULT_MAX_FILE_BYTES,
): LocalFileStore {
  // Python writes f"{project}/{prefix}", so a one-segment prefix gives "None/<prefix>".
  const experimentId = `${prefix.project ?? "None"}/${prefix.path}`;
  return new LocalFileStore(storage, prefix.path, experimentId, { maxBytes, sha256: runtime.sha256 });
}
