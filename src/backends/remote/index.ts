/**
 * The remote half of the SDK: the HTTP client (and msgpack), the remote-only backend and its
 * reader. Loaded only when a run has a `dashUrl` (see `src/replicate/assemble.ts`, which also
 * builds the hybrid backend of `src/replicate` on top of these pieces).
 */
import { DEFAULT_MAX_FILE_BYTES } from "../../model/defaults.ts";
import type { ExperimentOptions } from "../../model/options.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { ExperimentStats } from "../../model/stats.ts";
import type { MlDashError } from "../../errors.ts";
import type { Assembly } from "../assembly.ts";
import type { StreamId } from "../../model/batch.ts";
import { RemoteClient } from "./client.ts";
import { RemoteBackend } from "./remote-backend.ts";
import { RemoteReader } from "./remote-reader.ts";
import type { RemoteFilesSetup } from "./session.ts";

export { RemoteClient, type RemoteOptions, type RemoteClientOptions } from "./client.ts";
export { RemoteBackend, type RemoteBackendOptions } from "./remote-backend.ts";
export { RemoteReader } from "./remote-reader.ts";
export { RemoteSession, type RemoteFilesSetup } from "./session.ts";
export type { UnloadResult } from "./unload.ts";
export { RemoteFileStore } from "./remote-file-store.ts";

/** What a run's connection to a server is made from. */
export interface RemoteSetup {
  readonly dashUrl: string;
  readonly options: ExperimentOptions;
  readonly runtime: RuntimeHooks;
  readonly stats: ExperimentStats;
}

/** The client of a run's server (its retries counted in `stats.retried`) and how its files travel. */
export function remoteConnection(setup: RemoteSetup): { client: RemoteClient; files: RemoteFilesSetup } {
  const { options, runtime, stats } = setup;
  const client = new RemoteClient({
    ...options.remote,
    dashUrl: setup.dashUrl,
    token: options.token,
    loadToken: runtime.loadToken ? () => (runtime.loadToken as () => Promise<string | undefined>)() : undefined,
    fetch: options.fetch,
    onRetry: () => void stats.retried++,
  });
  const files: RemoteFilesSetup = {
    sha256: runtime.sha256,
    maxBytes: options.files?.maxBytes ?? DEFAULT_MAX_FILE_BYTES,
    // Chromium streams request bodies only over HTTP/2: browsers send Blobs and bytes instead.
    streamBodies: runtime.name !== "browser",
  };
  return { client, files };
}

/** The backend of a remote-only run, read through the server. */
export function remoteOnly(setup: RemoteSetup & { readonly report: (err: MlDashError) => void; readonly drop: (stream: StreamId, count: number) => void }): Assembly {
  const { client, files } = remoteConnection(setup);
  const backend = new RemoteBackend({ client, stats: setup.stats, report: setup.report, drop: setup.drop, files });
  return { backends: [backend], reader: new RemoteReader(client, () => backend.id), files: backend.files, unload: (sealed) => backend.flushForUnload(sealed) };
}
