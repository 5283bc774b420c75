/**
 * The services a runtime entry may hand the core through `RuntimeHooks`, as interfaces:
 * a local file system (`files.upload` / `download`), a native incremental SHA-256, and encoder
 * workers. They are declared here, below everything that uses them, so that the hooks need
 * nothing from the layers above; the implementations live with their users (src/files/,
 * src/backends/local/) and in the runtime entries.
 */
import type { BatchData } from "./batch.ts";
import type { CreatedRuns } from "./created-at.ts";

/** A local file opened for reading. */
export interface LocalFile {
  /** The file's base name (the default target name of an upload). */
  readonly name: string;
  readonly size: number;
  /** Its bytes, read in chunks. */
  readonly stream: ReadableStream<Uint8Array>;
}

/**
 * File-system access handed in by a runtime entry (`RuntimeHooks.localFiles`), for the files
 * API's `upload(localPath)` and `download({ to })`; elsewhere those two explain that there is none.
 */
export interface LocalFileSystem {
  /** Opens a regular file; a missing path or a folder is a `ValidationError` naming `localPath`. */
  open(localPath: string): Promise<LocalFile>;
  /**
   * Writes `data` to `target` (creating parent folders), replacing it once complete; when
   * `target` is an existing folder (or ends with a separator) the file goes inside it as
   * `name`. Resolves to the path written.
   */
  write(target: string, name: string, data: ReadableStream<Uint8Array>): Promise<string>;
  /** Removes a file written by `write` (a failed checksum check). */
  remove(path: string): Promise<void>;
  /** Joins a folder and a file name with the platform's separator. */
  join(dir: string, name: string): string;
}

/** An incremental SHA-256 (`RuntimeHooks.sha256`; the portable one is in src/files/sha256.ts). */
export interface Sha256 {
  update(chunk: Uint8Array): void;
  /** The digest of everything given so far; call once. */
  digest(): Uint8Array;
}

/** What an encoder needs: the records, the first number, and the batch write time. */
export interface EncodeJob {
  readonly data: BatchData;
  readonly first: number;
  /** Python ISO timestamp shared by the batch's metric lines (`createdAt`). */
  readonly createdAt: string;
  /** Times kept from the records' first store (a copy), overriding `createdAt` run by run. */
  readonly created?: CreatedRuns | undefined;
}

/** A request to an encoder worker. */
export interface EncoderRequest {
  readonly id: number;
  readonly job: EncodeJob;
  /**
   * A spare buffer (transferred) to encode into, when the pool has one: the reply's bytes are
   * then a view of it, and the pool gets it back once the bytes are stored.
   */
  readonly out?: ArrayBuffer | undefined;
}

/** An encoder worker's reply. */
export type EncoderReply =
  | {
      readonly id: number;
      readonly bytes: Uint8Array;
      /** The job's column buffers, transferred back for the pool to copy later batches into. */
      readonly spare?: readonly ArrayBuffer[] | undefined;
    }
  | { readonly id: number; readonly error: string };

/**
 * An encoder worker as the pool of src/backends/local/encoder-pool.ts sees it
 * (`RuntimeHooks.spawnEncoder`; entries adapt Web Workers or node:worker_threads to this).
 */
export interface EncoderWorker {
  post(message: EncoderRequest, transfer: ArrayBuffer[]): void;
  /** Registers the handlers for replies and for the worker dying. */
  listen(onMessage: (reply: EncoderReply) => void, onError: (error: unknown) => void): void;
  terminate(): void;
  /**
   * Tells the runtime whether the worker has jobs: a busy worker must keep the process alive
   * (Node `ref`), an idle one must not (`unref`).
   */
  setBusy?(busy: boolean): void;
}
