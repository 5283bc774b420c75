/**
 * The shapes of the files API: the record ML-Dash Python keeps for every file, the options of
 * builders and saves, and the {@link FileStore} seam that a local store and a server both fill.
 */
import type { PlainObject } from "../model/values.ts";

/**
 * One file of a run, exactly as ML-Dash Python records it in `files/.files_metadata.json`
 * (`files/.files_metadata.json`): same keys, same order, same id format.
 */
export interface FileInfo {
  /** `String((unixMs << 12) | random12bits)`, about 16 digits, as Python's local store makes it. */
  readonly id: string;
  /** `"<project>/<prefix>"` (yes, the project twice: Python's local stand-in for an id). */
  readonly experimentId: string;
  /** The logical folder with a leading `/`: `"/models"`, `"/"`. */
  readonly path: string;
  readonly filename: string;
  readonly description: string | null;
  readonly tags: string[];
  readonly bindrs: string[];
  /** From the extension, as Python's `mimetypes` guesses it. */
  readonly contentType: string;
  readonly sizeBytes: number;
  /** SHA-256 of the content, lowercase hex. */
  readonly checksum: string;
  readonly metadata: PlainObject | null;
  /** Python ISO timestamps (`2026-11-26T06:18:00.525686Z`). */
  readonly uploadedAt: string;
  readonly updatedAt: string;
  /** Set by a (soft) delete; the bytes stay. */
  readonly deletedAt: string | null;
}

/** What `delete` returns for each file, as Python does. */
export interface DeletedFile {
  readonly id: string;
  readonly deletedAt: string;
}

/** Annotations a builder carries to every save (and to `update`). */
export interface FileAnnotations {
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly bindrs?: readonly string[];
  readonly metadata?: Record<string, unknown>;
}

/** Options of `exp.files(dir, options)`. */
export interface FileBuilderOptions extends FileAnnotations {
  /** Address one file by id (for read, download, update, delete). */
  readonly fileId?: string;
}

/** Options of the save methods: the target (relative to the builder folder) and annotations. */
export interface SaveOptions extends FileAnnotations {
  /** File name, or `sub/dir/name` relative to the builder's folder. Required except for `File` inputs and `upload`. */
  readonly to?: string;
}

/** Options of `saveImage`. */
export interface SaveImageOptions extends SaveOptions {
  /** JPEG quality 1–100 (default 95, as Python). Ignored for PNG. */
  readonly quality?: number;
}

/** Options of `download`. */
export interface DownloadOptions {
  /** Target file (one file) or folder (a pattern). Default: the file name in the current folder. */
  readonly to?: string;
}

/** A patch for `update`: only the given fields change. */
export interface FileUpdate {
  readonly description?: string | null;
  readonly tags?: readonly string[];
  readonly metadata?: Record<string, unknown> | null;
}

/** Content on its way into a store: whole bytes, or a stream (with its size when known). */
export type FileContent =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | {
      readonly kind: "stream";
      readonly stream: ReadableStream<Uint8Array>;
      readonly size?: number;
      /**
       * A fresh stream of the same bytes (a local file opened again, a Blob read again). A store
       * that sends the content elsewhere uses it to hash first and to retry; without it the
       * stream can be read only once.
       */
      readonly reopen?: () => Promise<ReadableStream<Uint8Array>>;
      /** The Blob the stream reads, when there is one (a browser sends it from disk as it is). */
      readonly blob?: Blob;
    };

/** What a save asks of a store. */
export interface SaveRequest {
  readonly path: string;
  readonly filename: string;
  readonly content: FileContent;
  readonly description: string | null;
  readonly tags: string[];
  readonly bindrs: string[];
  readonly metadata: PlainObject | null;
  readonly contentType: string;
  /**
   * Called once the content is stored and before its record is: a throw removes the content
   * and fails the save (the server checks the checksum a client sent here).
   */
  readonly verify?: (written: { readonly size: number; readonly checksum: string }) => Promise<void> | void;
  /** When the record was first stored (a copy's, as `ml-dash upload` sends it); stores that cannot keep it stamp now. */
  readonly uploadedAt?: string | undefined;
}

/**
 * Where an experiment's files live: the local `.dash` folder ({@link LocalFileStore}) or, in
 * remote mode, the server. The builder API is written against this interface only.
 */
export interface FileStore {
  /** Stores content and its record; resolves when both are durable. Same path + name replaces (Python's overwrite rule). */
  save(request: SaveRequest): Promise<FileInfo>;
  /** Every record (deleted ones included), in stored order. */
  records(): Promise<FileInfo[]>;
  /** The content of a (non-deleted) file. */
  read(file: FileInfo): Promise<Uint8Array>;
  /** The content of a (non-deleted) file as a stream. */
  stream(file: FileInfo): Promise<ReadableStream<Uint8Array>>;
  /** Soft delete; a second delete is a `NotFoundError`. */
  delete(id: string): Promise<DeletedFile>;
  /** Changes description, tags and metadata; unknown or deleted ids are a `NotFoundError`. */
  update(id: string, patch: FileUpdate): Promise<FileInfo>;
  /** Resolves when changes made so far reached every destination (hybrid mode: the server too). */
  flush?(): Promise<void>;
}
