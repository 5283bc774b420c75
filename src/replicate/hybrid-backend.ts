/**
 * `HybridBackend`: an ML-Dash server as a secondary destination, after the local store. It
 * works as an offline transport wraps a transport (Sentry's `makeOfflineTransport`): the local
 * store is the write-ahead log, and the server is caught up from it in the background.
 *
 * - Batches the local store already holds are queued in an {@link Uploader} (kept in memory up
 *   to a bound, re-read from the local files beyond it) and sent in order per stream.
 * - At connect, every local stream is compared with the server's and the missing tail is
 *   uploaded from the local files, so a restarted process finishes what a killed one began;
 *   the local params are sent again, and the file sync compares the files (lazy-file-sync.ts).
 * - The local store uploads as one writer (`.writer-id`, made with the run): another client
 *   appending to the same experiment (another machine, a remote-only run) loses nothing, and
 *   a restart resumes where the server says this store's records end.
 * - A server that is down at start does not stop the run: it goes on locally and the backend
 *   reconnects with backoff. `flush()` resolves when the server has acknowledged everything.
 */
import type { Backend, ExperimentInfo, OpenState, ParamsUpdate, RunStatus } from "../model/backend.ts";
import { MlDashError, RemoteError, StorageError } from "../errors.ts";
import { DEFAULT_UPLOAD_MEMORY_BYTES, uploadMemoryBytes } from "../model/defaults.ts";
import type { LocalFileStore } from "../files/local-file-store.ts";
import { loadOnce } from "../internal/load-once.ts";
import { paths } from "../layout/paths.ts";
import type { FileStore } from "../files/types.ts";
import { listStreams } from "../layout/list-streams.ts";
import type { ParsedPrefix } from "../model/prefix.ts";
import type { ExperimentStats } from "../model/stats.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import type { Batch, StreamId } from "../model/batch.ts";
import type { Assembly, LocalHalf } from "../backends/assembly.ts";
import type { RemoteClient } from "../backends/remote/client.ts";
import { remoteConnection, type RemoteSetup } from "../backends/remote/index.ts";
import { isTransient, pauseMs } from "../backends/remote/retry.ts";
import { RemoteSession, type RemoteFilesSetup } from "../backends/remote/session.ts";
import { UnloadPlan, type UnloadResult } from "../backends/remote/unload.ts";
import { HybridFileStore, LazyFileSync } from "./lazy-file-sync.ts";
import { localParams, localWriterId } from "./local-run.ts";
import { Uploader } from "./uploader.ts";

/** The local store a hybrid run writes first. */
export interface LocalSide {
  readonly storage: StorageAdapter;
  /** The experiment folder in the store. */
  readonly dir: string;
  /** The local backend (for each stream's durable count). */
  readonly backend: Backend;
  /** The local files, which are uploaded after they are saved (their code loads on first need). */
  readonly files: () => Promise<LocalFileStore>;
}

/** Options of {@link HybridBackend}. */
export interface HybridBackendOptions {
  readonly client: RemoteClient;
  /** The local store, which is the write-ahead log. */
  readonly local: LocalSide;
  readonly stats: ExperimentStats;
  /** Reports a background problem (counted, `onError`, warned once per kind). */
  readonly report: (err: MlDashError) => void;
  readonly unrefTimer?: ((handle: unknown) => void) | undefined;
  /** Most bytes of batches kept in memory for upload (the rest is re-read from disk). Default 16 MiB. */
  readonly maxMemoryBytes?: number;
  /** Files: the hash, the size limit, whether bodies can stream. */
  readonly files?: RemoteFilesSetup | undefined;
}

/** The server, kept caught up with the local store. */
export class HybridBackend implements Backend {
  readonly role = "remote" as const;
  /** `exp.files` of this run: the local files, kept in sync with the server's. */
  readonly files: FileStore;
  private readonly session: RemoteSession;
  private readonly uploader: Uploader;
  private readonly fileSync: LazyFileSync;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnects = 0;
  private closed = false;

  constructor(private readonly options: HybridBackendOptions) {
    const { local, report, unrefTimer } = options;
    this.session = new RemoteSession({ client: options.client, report, files: options.files, background: true, connected: () => this.catchUp() });
    this.uploader = new Uploader(
      local.storage,
      local.dir,
      {
        send: (batch) => this.session.send(batch),
        ready: () => this.session.ready(),
        report,
        acknowledged: (records, bytes) => {
          options.stats.sent += records;
          options.stats.bytes += bytes;
        },
        unrefTimer,
      },
      { maxMemoryBytes: options.maxMemoryBytes ?? DEFAULT_UPLOAD_MEMORY_BYTES, concurrency: 4 },
    );
    this.fileSync = new LazyFileSync(local.files, () => local.storage.stat(paths.filesMeta(local.dir)).then((s) => s !== null), { api: () => this.session.fileApi(), report, unrefTimer });
    this.files = new HybridFileStore(local.files, this.fileSync);
  }

  /** The server's experiment id, once created. */
  get id(): string | undefined {
    return this.session.id;
  }

  async open(info: ExperimentInfo): Promise<OpenState> {
    this.session.writer = await localWriterId(this.options.local.storage, this.options.local.dir);
    try {
      const exp = await this.session.open(info);
      return { params: {}, paramsVersion: 0, data: exp.data, id: exp.id };
    } catch (err) {
      if (!isTransient(err)) throw err; // a wrong URL, token or prefix should stop the run at start
      // The server is down: the run goes on locally; the upload starts when the server is back.
      this.options.report(err as MlDashError);
      this.reconnectLater();
      return { params: {}, paramsVersion: 0, data: {} };
    }
  }

  cursor(stream: StreamId): Promise<number> {
    return this.session.cursor(stream);
  }

  /** Takes batches the local store now holds; the upload sends them in the background. */
  async write(stream: StreamId, batches: readonly Batch[]): Promise<void> {
    this.uploader.enqueue(stream, batches);
  }

  async writeParams(update: ParamsUpdate): Promise<void> {
    this.session.writeParams(update).catch((err) => this.options.report(err));
  }

  async setStatus(status: RunStatus): Promise<void> {
    // With the upload failing, the data path has just spent its patience and the local store
    // holds the status (the next run of the prefix, or `ml-dash upload`, sends it): one try.
    // Otherwise a burst of failures gets the patience of a batch (the PATCH is idempotent).
    await this.session.setStatus(status, !this.uploader.failing);
  }

  /** Resolves when the server holds every record, the params and the files (rejects once the patience is spent). */
  async flush(): Promise<void> {
    await Promise.all([this.uploader.flush(), this.session.sendParams(), this.fileSync.flush()]);
  }

  /** Asks the server to make what it acknowledged durable (`exp.flush()`, after `flush()` resolved; the run's end status does it too). */
  sync(): Promise<void> {
    return this.session.sync();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.uploader.close();
    this.fileSync.close();
  }

  /**
   * Sends what fits of the data not yet acknowledged in `keepalive` requests (64 KiB in all:
   * see `unload.ts`), one contiguous request per stream. Whatever does not fit stays in the
   * local store for the next load. `extra` are batches the buffer sealed but has not stored yet.
   */
  flushForUnload(extra: readonly Batch[] = [], budgetBytes = 64 * 1024): UnloadResult {
    const plan = new UnloadPlan();
    for (const o of this.uploader.pending()) plan.add(o.stream, o.acked, o.shift, o.batches);
    for (const b of extra) {
      const o = this.uploader.outboxes.get(b.stream.key);
      plan.add(b.stream, o?.acked, o?.shift ?? 0, [b]);
    }
    return plan.send(this.options.client, this.session.id, budgetBytes, this.session.writer);
  }

  private reconnectLater(): void {
    if (this.closed) return;
    const delay = pauseMs(++this.reconnects);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.session.connect().then(
        () => this.uploader.kick(),
        (err) => {
          if (isTransient(err)) this.reconnectLater();
          else this.options.report(err as MlDashError);
        },
      );
    }, delay);
    this.options.unrefTimer?.(this.reconnectTimer);
  }

  /**
   * Part of connecting: every stream of the local store whose count is ahead of the server's is
   * queued for upload from the local files, the local params are sent again (a merge, so
   * sending them twice changes nothing), and the files are compared.
   */
  private async catchUp(): Promise<void> {
    const { local, report } = this.options;
    const { positions, positionsKnown } = this.session;
    if (!positionsKnown) {
      report(new RemoteError("The server does not report stream positions; only new records are uploaded", 0, undefined));
    }
    for (const { id: stream } of await listStreams(local.storage, local.dir)) {
      const target = await local.backend.cursor(stream, undefined);
      // A server that does not say where its streams end gets only what is new from now on.
      this.uploader.expect(stream, target, positionsKnown ? (positions.get(stream.key) ?? 0) : target);
    }
    const params = await localParams(local.storage, local.dir);
    if (params) this.session.offerParams({ version: params.version ?? 1, data: params.data, changed: params.data });
    this.fileSync.catchUp().catch((err: unknown) => report(err instanceof MlDashError ? err : new StorageError(String(err), { cause: err })));
  }
}

/** The backends of a run with a local store (`local`: its half) and a server; read from the local store (it holds everything, first). */
export function hybridRun(setup: RemoteSetup & { readonly storage: StorageAdapter; readonly prefix: ParsedPrefix; readonly report: (err: MlDashError) => void }, local: LocalHalf): Assembly {
  const { storage, prefix, runtime } = setup;
  const { client, files } = remoteConnection(setup);
  const hybrid = new HybridBackend({
    client,
    local: {
      storage,
      dir: prefix.path,
      backend: local.backend,
      // Loaded when a file is saved or listed, or the store has files to sync: most runs never.
      files: loadOnce(async () => (await import("../files/local-file-store.ts")).localFileStoreFor(storage, prefix, runtime, files.maxBytes)),
    },
    stats: setup.stats,
    report: setup.report,
    unrefTimer: runtime.unrefTimer,
    // Batches waiting for upload are also in the local store: keep at most a quarter of the
    // buffer's bound of them in memory, and re-read the rest from the store when their turn comes.
    maxMemoryBytes: uploadMemoryBytes(setup.options.buffer?.maxQueueBytes),
    files,
  });
  return { backends: [local.backend, hybrid], reader: local.reader, files: hybrid.files, unload: (sealed) => hybrid.flushForUnload(sealed) };
}
