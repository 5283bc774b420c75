/**
 * The one place an experiment's backends are put together from its destinations:
 *
 * | destinations      | backends                      | reader                | files                          |
 * |-------------------|-------------------------------|-----------------------|--------------------------------|
 * | store             | `[LocalBackend]`              | the local store       | the store's `files/` folder    |
 * | dashUrl           | `[RemoteBackend]`             | the server (REST)     | the server's                   |
 * | store + dashUrl   | `[LocalBackend, HybridBackend]` | the local store (it holds everything, first) | local, kept in sync |
 *
 * Each half loads here, when a run starts, and only if it is used: the remote half (HTTP
 * client, msgpack, the hybrid upload) with a `dashUrl`, the local writer with a store; the
 * readers on the first read. So a page that never starts a run, or only talks to a server,
 * does not download the other half. This module itself holds no more than those decisions.
 */
import { ConfigurationError, type MlDashError } from "../errors.ts";
import type { FileStore } from "../files/types.ts";
import { deferredReader } from "../backends/deferred-reader.ts";
import type { StreamId } from "../model/batch.ts";
import { DEFAULT_MAX_QUEUE_BYTES } from "../model/defaults.ts";
import type { ExperimentOptions } from "../model/options.ts";
import type { ParsedPrefix } from "../model/prefix.ts";
import type { RuntimeHooks } from "../model/runtime-hooks.ts";
import type { ExperimentStats } from "../model/stats.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import type { Assembly, LocalHalf } from "../backends/assembly.ts";

export type { Assembly } from "../backends/assembly.ts";
export type { UnloadResult } from "../backends/remote/unload.ts";

/** Where a run's data goes, and what its backends report to. */
export interface AssemblySetup {
  /** The local store (`null`: remote-only). */
  readonly storage: StorageAdapter | null;
  /** The server (without a trailing slash), when there is one. */
  readonly dashUrl: string | undefined;
  /** The run's prefix (its folder in the store). */
  readonly prefix: ParsedPrefix;
  readonly options: ExperimentOptions;
  readonly runtime: RuntimeHooks;
  readonly stats: ExperimentStats;
  /** Reports a background problem (counted, `onError`, warned once per kind). */
  readonly report: (err: MlDashError) => void;
  /** Records the server refused for good (remote-only: the buffer counts them as dropped). */
  readonly drop: (stream: StreamId, count: number) => void;
}

/** Creates the backends of a run (see the table above). */
export async function assembleBackends(setup: AssemblySetup): Promise<Assembly> {
  const { storage, dashUrl } = setup;
  if (!dashUrl) {
    if (!storage) throw new ConfigurationError("No local store");
    const local = await localHalf(setup, storage);
    return { backends: [local.backend], reader: local.reader, files: undefined, unload: undefined };
  }
  if (!storage) return (await import("../backends/remote/index.ts")).remoteOnly({ ...setup, dashUrl });
  const [{ hybridRun }, local] = await Promise.all([import("./hybrid-backend.ts"), localHalf(setup, storage)]);
  return hybridRun({ ...setup, dashUrl, storage }, local);
}

/**
 * The store behind `exp.files`: the local store's `files/` folder (at `prefix`), or the current
 * run's (`current`, remote and hybrid: it exists once the run started). Its code is loaded with
 * the first files call, not with the page.
 */
export async function fileStoreFor(setup: Pick<AssemblySetup, "storage" | "dashUrl" | "prefix" | "runtime" | "options">, current: () => FileStore | undefined): Promise<FileStore> {
  const { storage, dashUrl } = setup;
  if (dashUrl) {
    const { currentFileStore } = await import("../files/deferred-store.ts");
    return currentFileStore(current);
  }
  if (!storage) throw new ConfigurationError("exp.files needs a local store or a dashUrl");
  const { localFileStoreFor } = await import("../files/local-file-store.ts");
  return localFileStoreFor(storage, setup.prefix, setup.runtime, setup.options.files?.maxBytes);
}

/** The local store's writer (with encoder threads where the runtime has them) and reader (loaded on the first read). */
async function localHalf(setup: AssemblySetup, storage: StorageAdapter): Promise<LocalHalf> {
  const dir = setup.prefix.path;
  const { LocalBackend } = await import("../backends/local/local-backend.ts");
  const { runtime } = setup;
  const spawn = runtime.spawnEncoder ?? (await runtime.loadEncoder?.().catch(() => undefined));
  const pool = spawn ? (await import("../backends/local/encoder-pool.ts")).encoderPoolFor(runtime, spawn) : undefined;
  return {
    backend: new LocalBackend(storage, dir, setup.stats, pool, underPressure(setup)),
    reader: deferredReader(async () => new (await import("../backends/local/local-reader.ts")).LocalReader(storage, dir)),
  };
}

/**
 * True while the buffer holds more than the runtime's share of its byte bound: the local backend
 * then encodes on the logging thread too, which slows a producer that outpaces the encoders.
 */
export function underPressure(setup: Pick<AssemblySetup, "options" | "runtime" | "stats">): () => boolean {
  const bound = (setup.options.buffer?.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES) * (setup.runtime.callerEncodesAt ?? 0.25);
  return () => setup.stats.queuedBytes > bound;
}
