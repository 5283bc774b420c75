/**
 * Remote and hybrid modes: the backends an experiment gets when it has a `dashUrl`.
 *
 * - remote-only (`storage: null`): `[RemoteBackend]`, read through {@link RemoteReader};
 * - hybrid: `[LocalBackend, RemoteBackend]`, read from the local store (it holds everything,
 *   and first).
 */
import type { Backend, Reader } from "../../model/backend.ts";
import type { MlDashError } from "../../errors.ts";
import { encoderPoolFor } from "../local/encoder-pool.ts";
import { LocalBackend } from "../local/local-backend.ts";
import { LocalReader } from "../local/local-reader.ts";
import type { ExperimentOptions } from "../../api/options.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { ExperimentStats } from "../../model/stats.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import type { StreamId } from "../../model/batch.ts";
import { DEFAULT_MAX_FILE_BYTES } from "../../model/defaults.ts";
import { localFileStoreFor } from "../../files/local-file-store.ts";
import { portableSha256 } from "../../files/sha256.ts";
import { parsePrefix } from "../../model/prefix.ts";
import { uploadMemoryBytes } from "../../model/defaults.ts";
import { RemoteClient } from "./client.ts";
import { RemoteBackend } from "./remote-backend.ts";
import { RemoteReader } from "./remote-reader.ts";

export { RemoteClient, type RemoteOptions, type RemoteClientOptions } from "./client.ts";
export { RemoteBackend, type RemoteBackendOptions, type LocalSide } from "./remote-backend.ts";
export { RemoteReader } from "./remote-reader.ts";
export type { UnloadResult } from "./unload.ts";
export { RemoteFileStore } from "./remote-file-store.ts";
export { FileSync, HybridFileStore } from "../../replicate/file-sync.ts";

/** What {@link createRemoteBackends} needs from the experiment. */
export interface RemoteSetup {
  readonly dashUrl: string;
  readonly storage: StorageAdapter | null;
  /** The experiment folder (its prefix). */
  readonly dir: string;
  readonly options: ExperimentOptions;
  readonly runtime: RuntimeHooks;
  readonly stats: ExperimentStats;
  readonly report: (err: MlDashError) => void;
  readonly drop: (stream: StreamId, count: number) => void;
  /** True while the buffer is filling up (see LocalBackend). */
  readonly underPressure?: () => boolean;
}

/** The backends and the reader of a remote-only or hybrid run. */
export function createRemoteBackends(setup: RemoteSetup): { backends: Backend[]; reader: Reader; remote: RemoteBackend } {
  const { options, runtime, stats } = setup;
  const client = new RemoteClient({
    ...options.remote,
    dashUrl: setup.dashUrl,
    token: options.token,
    loadToken: runtime.loadToken ? () => (runtime.loadToken as () => Promise<string | undefined>)() : undefined,
    fetch: options.fetch,
    onRetry: () => void stats.retried++,
  });
  const files = {
    sha256: runtime.sha256 ?? portableSha256,
    maxBytes: options.files?.maxBytes ?? DEFAULT_MAX_FILE_BYTES,
    // Chromium streams request bodies only over HTTP/2: browsers send Blobs and bytes instead.
    streamBodies: runtime.name !== "browser",
  };
  const common = { client, stats, report: setup.report, drop: setup.drop, unrefTimer: runtime.unrefTimer, files };
  if (!setup.storage) {
    const remote = new RemoteBackend(common);
    return { backends: [remote], reader: new RemoteReader(client, () => remote.id), remote };
  }
  const local = new LocalBackend(setup.storage, setup.dir, stats, encoderPoolFor(runtime), setup.underPressure);
  // Batches waiting for upload are also in the local store: keep at most a quarter of the
  // buffer's bound of them in memory, and re-read the rest from the store when their turn comes.
  const maxMemoryBytes = uploadMemoryBytes(options.buffer?.maxQueueBytes);
  const localFiles = localFileStoreFor(setup.storage, parsePrefix(setup.dir), runtime, files.maxBytes);
  const remote = new RemoteBackend({ ...common, files: { ...files, local: localFiles }, local: { storage: setup.storage, dir: setup.dir, backend: local }, maxMemoryBytes });
  return { backends: [local, remote], reader: new LocalReader(setup.storage, setup.dir), remote };
}
