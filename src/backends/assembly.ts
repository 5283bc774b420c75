/**
 * What a run's backends are assembled into (by `src/replicate/assemble.ts`, from the halves in
 * `local/`, `remote/` and `src/replicate`): the backends, the reader, and what comes with a
 * server connection.
 */
import type { Backend, Reader } from "../model/backend.ts";
import type { Batch } from "../model/batch.ts";
import type { FileStore } from "../files/types.ts";
import type { UnloadResult } from "./remote/unload.ts";

/** A run's backends and what comes with them. */
export interface Assembly {
  /** The primary first (the local store when there is one: it is the write-ahead log). */
  readonly backends: [Backend, ...Backend[]];
  readonly reader: Reader;
  /**
   * `exp.files` of this run when it goes through the run's server connection (remote and
   * hybrid); `undefined` for a local run, whose files need no run.
   */
  readonly files: FileStore | undefined;
  /**
   * Sends what fits of the data the server lacks in `keepalive` requests, for a page that goes
   * away (`sealed`: batches the buffer sealed but has not stored); `undefined` without a server.
   */
  readonly unload: ((sealed: readonly Batch[]) => UnloadResult) | undefined;
}

/** The local half of a run: the local store's writer and reader. */
export interface LocalHalf {
  readonly backend: Backend;
  readonly reader: Reader;
}
