/** What every writer of one folder in this process shares (see local-backend.ts). */
import { NamedMutex } from "../../internal/mutex.ts";
import type { Batch } from "../../model/batch.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import type { StreamState } from "./stream-state.ts";

/**
 * State shared by every writer of one folder in this process (two `Experiment`s with the same
 * prefix on the same adapter), so their numbering stays consistent without re-reading files.
 */
export class FolderState {
  readonly streams = new Map<string, Promise<StreamState>>();
  /** The streams whose state has loaded, for `writeSync` (which cannot wait for a load). */
  readonly loaded = new Map<string, StreamState>();
  readonly mutex = new NamedMutex();
  readonly written = new WeakSet<Batch>();
}

const folders = new WeakMap<StorageAdapter, Map<string, FolderState>>();

/** The shared state of folder `dir` of `storage`. */
export function folderState(storage: StorageAdapter, dir: string): FolderState {
  let byDir = folders.get(storage);
  if (!byDir) folders.set(storage, (byDir = new Map()));
  let st = byDir.get(dir);
  if (!st) byDir.set(dir, (st = new FolderState()));
  return st;
}
