/** One writing process per run: the lease a local backend takes when it opens a run. */
import { ConflictError } from "../../errors.ts";
import { paths } from "../../layout/paths.ts";
import type { StorageAdapter } from "../../storage/contract.ts";

/**
 * Takes the adapter's lease on the run's lock file (file-system adapters; adapters whose writers
 * share a folder by design, `capabilities.sharedWriters`, coordinate through `lock` instead, and
 * the rest have no other process to meet). A second process writing the same run gets a
 * {@link ConflictError} with code `RUN_LOCKED` naming the holder, instead of interleaving its
 * indices with the first one's. Resolves the lease to release at the run's end, if any.
 */
export async function takeRunLease(storage: StorageAdapter, dir: string, prefix: string): Promise<{ release(): Promise<void> } | undefined> {
  if (!storage.lease || storage.capabilities.sharedWriters) return undefined;
  const key = paths.writerLock(dir);
  const got = await storage.lease(key);
  if ("heldBy" in got) {
    throw new ConflictError(
      `Run "${prefix}" is being written by ${got.heldBy}: two processes writing one run would corrupt it. ` +
        `Wait for that run to end, use another prefix, or delete ${key} in the store if that process is gone`,
      { code: "RUN_LOCKED" },
    );
  }
  return got;
}
