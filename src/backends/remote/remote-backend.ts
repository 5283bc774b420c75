/**
 * `RemoteBackend`: an ML-Dash server as a destination of an experiment's data.
 *
 * - **Remote-only** (the primary backend): the buffer hands it sealed batches and waits; each
 *   is sent in order, retried on transient failures by the client, and kept by the buffer when
 *   those run out (bounded by `maxQueueBytes`). A batch the server refuses for good is reported
 *   once and counted as dropped, never retried forever.
 * - **Hybrid** (a secondary after the local store): batches already durable locally are queued
 *   in an {@link Uploader}; at open, every local stream is compared with the server's and the
 *   missing tail is uploaded from the local files, so a restarted process finishes what a
 *   killed one began. `flush()` resolves when the server has acknowledged everything.
 *
 * Every batch carries its position (`startIndex`) and an idempotency key, so a retry after a
 * lost answer never stores a record twice.
 */
import type { Backend, ExperimentInfo, OpenState, ParamsUpdate, RunStatus } from "../../model/backend.ts";
import { DEFAULT_UPLOAD_MEMORY_BYTES } from "../../model/defaults.ts";
import { MlDashError, NetworkError, RemoteError, StorageError } from "../../errors.ts";
import { DEFAULT_MAX_FILE_BYTES } from "../../model/defaults.ts";
import type { LocalFileStore } from "../../files/local-file-store.ts";
import { portableSha256, type Sha256 } from "../../files/sha256.ts";
import type { FileStore } from "../../files/types.ts";
import { parsePyJson } from "../../layout/py-json-parse.ts";
import { paths } from "../../layout/paths.ts";
import { listStreams } from "../../layout/list-streams.ts";
import type { PlainValue } from "../../model/values.ts";
import type { ExperimentStats } from "../../model/stats.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import type { Batch, StreamId } from "../../model/batch.ts";
import { coalesce, tailOf } from "../../protocol/batch-ops.ts";
import { isTransient, type RemoteClient } from "./client.ts";
import { createRemoteExperiment, fetchParams, type RemoteExperiment } from "./experiment-api.ts";
import { PATIENCE, patiently, pauseMs, sleep } from "./patience.ts";
import { sendBatch, StreamGap } from "./send-batch.ts";
import { sendForUnload, type UnloadResult, type UnloadStream } from "./unload.ts";
import { Uploader } from "../../replicate/uploader.ts";
import { FileSync, HybridFileStore } from "../../replicate/file-sync.ts";
import { RemoteFilesApi } from "./files-api.ts";
import { RemoteFileStore } from "./remote-file-store.ts";

/** The local store a hybrid run writes first. */
export interface LocalSide {
  readonly storage: StorageAdapter;
  /** The experiment folder in the store. */
  readonly dir: string;
  /** The local backend (for each stream's durable count). */
  readonly backend: Backend;
}

/** Options of {@link RemoteBackend}. */
export interface RemoteBackendOptions {
  readonly client: RemoteClient;
  /** Hybrid mode: the local store, which is the write-ahead log. */
  readonly local?: LocalSide | undefined;
  readonly stats: ExperimentStats;
  /** Reports a background problem (counted, `onError`, warned once per kind). */
  readonly report: (err: MlDashError) => void;
  /** Remote-only: records the server refused for good (the buffer counts them as dropped). */
  readonly drop: (stream: StreamId, count: number) => void;
  readonly unrefTimer?: ((handle: unknown) => void) | undefined;
  /** Hybrid: most bytes of batches kept in memory for upload (the rest is re-read from disk). Default 16 MiB. */
  readonly maxMemoryBytes?: number;
  /** Files: the local store's files (hybrid), the hash and the size limit. */
  readonly files?: RemoteFilesSetup | undefined;
}

/** How a run's files reach the server. */
export interface RemoteFilesSetup {
  /** Hybrid mode: the local files, which are uploaded after they are saved. */
  readonly local?: LocalFileStore | undefined;
  readonly sha256: () => Sha256;
  readonly maxBytes: number;
  /** Whether fetch can stream a request body (not in browsers over HTTP/1.1). */
  readonly streamBodies: boolean;
}

/** An ML-Dash server as a backend. */
export class RemoteBackend implements Backend {
  readonly role = "remote" as const;
  /** The server's experiment id, once created. */
  id: string | undefined;
  /** The server's create answer, once created. */
  data: Record<string, unknown> | undefined;
  private nodeId: string | undefined;
  /** The server's next record number per stream key. */
  private readonly positions = new Map<string, number>();
  private positionsKnown = false;
  private readonly uploader: Uploader | undefined;
  private info: ExperimentInfo | undefined;
  private connecting: Promise<RemoteExperiment> | undefined;
  private connectError: unknown;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnects = 0;
  private params: ParamsUpdate | undefined;
  /** `exp.files` of this run: the server's files (remote-only), or the local ones kept in sync (hybrid). */
  readonly files: FileStore;
  private readonly fileSync: FileSync | undefined;
  private filesApi: RemoteFilesApi | undefined;
  private paramsSending: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: RemoteBackendOptions) {
    const { local } = options;
    if (local) {
      this.uploader = new Uploader(
        local.storage,
        local.dir,
        {
          send: (batch) => sendBatch(this.client, this.id as string, batch),
          ready: () => this.ready(),
          report: (err) => this.options.report(err),
          acknowledged: (records, bytes) => {
            this.options.stats.sent += records;
            this.options.stats.bytes += bytes;
          },
          unrefTimer: options.unrefTimer,
        },
        { maxMemoryBytes: options.maxMemoryBytes ?? DEFAULT_UPLOAD_MEMORY_BYTES, concurrency: 4 },
      );
    }
    const localFiles = options.files?.local;
    if (localFiles) {
      this.fileSync = new FileSync(localFiles, { api: () => this.fileApi(), report: (e) => this.options.report(e), unrefTimer: options.unrefTimer });
      this.files = new HybridFileStore(localFiles, this.fileSync);
    } else this.files = new RemoteFileStore(() => this.fileApi());
  }

  /** The file API of the experiment on the server (waits for it to exist there). */
  private async fileApi(): Promise<RemoteFilesApi> {
    if (this.filesApi) return this.filesApi;
    if (this.uploader) await this.ready();
    if (this.id === undefined || this.nodeId === undefined || this.info?.prefix.owner === undefined) {
      throw new NetworkError("The experiment is not on the server yet (it could not be reached at start); its files follow once it is");
    }
    const project = (this.data?.["project"] ?? {}) as Record<string, unknown>;
    const experiment = (this.data?.["experiment"] ?? {}) as Record<string, unknown>;
    const projectId = project["id"] ?? experiment["projectId"];
    const f = this.options.files;
    this.filesApi = new RemoteFilesApi(
      this.client,
      { experimentId: this.id, nodeId: this.nodeId, projectId: projectId === undefined || projectId === null ? undefined : String(projectId), namespace: this.info.prefix.owner },
      { sha256: f?.sha256 ?? portableSha256, maxBytes: f?.maxBytes ?? DEFAULT_MAX_FILE_BYTES, streamBodies: f?.streamBodies ?? true },
    );
    return this.filesApi;
  }

  /** The HTTP client (shared with the reader). */
  get client(): RemoteClient {
    return this.options.client;
  }

  async open(info: ExperimentInfo): Promise<OpenState> {
    this.info = info;
    if (!this.uploader) {
      const exp = await this.connect();
      const params = await fetchParams(this.client, exp.id);
      return { params: params.data, paramsVersion: params.version, data: exp.data, id: exp.id };
    }
    try {
      const exp = await this.connect();
      return { params: {}, paramsVersion: 0, data: exp.data, id: exp.id };
    } catch (err) {
      if (!isTransient(err)) throw err; // a wrong URL, token or prefix should stop the run at start
      // The server is down: the run goes on locally; the upload starts when the server is back.
      this.options.report(err as MlDashError);
      this.reconnectLater();
      return { params: {}, paramsVersion: 0, data: {} };
    }
  }

  async cursor(stream: StreamId): Promise<number> {
    const known = this.positions.get(stream.key);
    if (known !== undefined) return known;
    let next = 0;
    if (!this.positionsKnown && stream.kind === "metric") {
      // A server that does not report positions: ask for the metric's count.
      try {
        const res = await this.client.request<Record<string, unknown>>("GET", `experiments/${this.expId()}/metrics/${encodeURIComponent(stream.name ?? "None")}/stats`);
        next = Number(res.data?.["totalDataPoints"] ?? 0) || 0;
      } catch (err) {
        if (!(err instanceof RemoteError && err.status === 404)) throw err;
      }
    }
    this.positions.set(stream.key, next);
    return next;
  }

  async write(stream: StreamId, batches: readonly Batch[]): Promise<void> {
    if (this.uploader) {
      this.uploader.enqueue(stream, batches);
      return;
    }
    for (const b of coalesce(batches)) await this.sendInOrder(b);
  }

  async writeParams(update: ParamsUpdate): Promise<void> {
    this.params = update;
    if (this.uploader) {
      this.sendParams().catch((err) => this.options.report(err));
      return;
    }
    await this.sendParams();
  }

  async setStatus(status: RunStatus): Promise<void> {
    if (!this.nodeId) await this.connect();
    const send = (): Promise<unknown> => this.client.request("PATCH", `nodes/${encodeURIComponent(this.nodeId as string)}`, { json: { status } });
    // In hybrid mode with the upload failing, the data path has just spent its patience and the
    // local store holds the status (the next run of the prefix, or `ml-dash upload`, sends it):
    // one try. Otherwise the status is the run's last word with no queue to wait in, so a burst
    // of failures gets the patience of a batch (the PATCH is idempotent).
    if (this.uploader?.failing) await send();
    else await patiently(send, isTransient);
  }

  async flush(): Promise<void> {
    if (!this.uploader) return;
    await Promise.all([this.uploader.flush(), this.sendParams(), this.fileSync?.flush()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.uploader?.close();
    this.fileSync?.close();
  }

  /**
   * Sends what fits of the data not yet acknowledged in `keepalive` requests (64 KiB in all, at
   * most 9 requests: the browser's limits for requests that outlive the page), one contiguous
   * request per stream so they cannot arrive out of order. Whatever does not fit stays where it
   * is (the local store, or the queue) for the next load. `extra` are batches the buffer sealed
   * but has not stored yet. Call it from `pagehide` / `visibilitychange`.
   */
  flushForUnload(extra: readonly Batch[] = [], budgetBytes = 64 * 1024): UnloadResult {
    const id = this.id;
    const streams = new Map<string, UnloadStream>();
    const add = (stream: StreamId, acked: number | undefined, shift: number, batches: readonly Batch[]): void => {
      if (acked === undefined) return;
      let s = streams.get(stream.key);
      if (!s) streams.set(stream.key, (s = { acked, shift, batches: [] }));
      s.batches.push(...batches);
    };
    for (const o of this.uploader?.pending() ?? []) add(o.stream, o.acked, o.shift, o.batches);
    for (const b of extra) {
      const o = this.uploader?.outbox(b.stream);
      add(b.stream, o ? o.acked : this.positions.get(b.stream.key), o?.shift ?? 0, [b]);
    }
    if (id === undefined) return { requests: 0, records: 0, bytes: 0, left: [...streams.values()].reduce((n, s) => n + s.batches.reduce((m, b) => m + b.count, 0), 0) };
    return sendForUnload(this.client, id, [...streams.values()], budgetBytes);
  }

  /** Sends one batch of a remote-only run, after everything before it. */
  private async sendInOrder(b: Batch): Promise<void> {
    const key = b.stream.key;
    let failures = 0;
    for (;;) {
      const acked = this.positions.get(key) ?? b.first;
      if (b.first + b.count <= acked) return; // an earlier attempt got through
      if (b.first > acked) {
        // The server holds fewer records than this run numbered (it lost some, or refused a batch):
        // number this batch to follow what it holds, so the stream stays gap-free.
        b.first = acked;
      }
      const chunk = tailOf(b, acked);
      try {
        const sent = await sendBatch(this.client, this.expId(), chunk);
        this.positions.set(key, sent.next);
        this.options.stats.sent += chunk.count;
        this.options.stats.bytes += sent.bytes;
        return;
      } catch (err) {
        if (err instanceof StreamGap) {
          this.positions.set(key, err.next);
          continue;
        }
        if (isTransient(err)) {
          if (++failures < PATIENCE) {
            await sleep(pauseMs(failures));
            continue;
          }
          throw err; // kept by the buffer, tried again on the next flush
        }
        this.options.report(err as MlDashError);
        this.options.drop(b.stream, chunk.count);
        return;
      }
    }
  }

  private sendParams(): Promise<void> {
    if (this.paramsSending) return this.paramsSending.then(() => (this.params ? this.sendParams() : undefined));
    const update = this.params;
    if (!update) return Promise.resolve();
    this.params = undefined;
    const run = async (): Promise<void> => {
      try {
        if (this.uploader) await this.ready();
        await this.client.request("POST", `experiments/${this.expId()}/parameters`, { json: { data: update.data, version: update.version } });
      } catch (err) {
        if (isTransient(err) || this.id === undefined) {
          this.params ??= update; // the newest state is sent next time
          throw err;
        }
        this.options.report(err as MlDashError); // refused for good: reported once, not retried
      }
    };
    this.paramsSending = run().finally(() => (this.paramsSending = undefined));
    return this.paramsSending;
  }

  private expId(): string {
    if (this.id === undefined) throw new RemoteError("The experiment does not exist on the server yet", 0, undefined);
    return encodeURIComponent(this.id);
  }

  /** Creates (or resumes) the experiment on the server; in hybrid mode starts the catch-up. */
  private connect(): Promise<RemoteExperiment> {
    if (this.connecting) return this.connecting;
    const info = this.info as ExperimentInfo;
    const attempt = (async () => {
      const exp = await createRemoteExperiment(this.client, info);
      this.id = exp.id;
      this.nodeId = exp.nodeId;
      this.data = exp.data;
      if (exp.positions) {
        this.positionsKnown = true;
        for (const [k, v] of exp.positions) this.positions.set(k, v);
      }
      if (this.uploader) await this.catchUp();
      this.filesApi = undefined; // ids may differ after a reconnect
      this.fileSync?.catchUp().catch((err: unknown) => this.options.report(err instanceof MlDashError ? err : new StorageError(String(err), { cause: err })));
      return exp;
    })();
    this.connecting = attempt;
    attempt.catch((err) => {
      this.connecting = undefined;
      this.connectError = err;
    });
    return attempt;
  }

  /** Positions of the server's streams, once the experiment exists there. */
  private async ready(): Promise<ReadonlyMap<string, number>> {
    if (this.connecting) await this.connecting;
    else if (this.id === undefined) throw this.connectError ?? new RemoteError("The experiment does not exist on the server yet", 0, undefined);
    return this.positions;
  }

  private reconnectLater(): void {
    if (this.closed) return;
    const delay = pauseMs(++this.reconnects);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().then(
        () => this.uploader?.kick(),
        (err) => {
          if (isTransient(err)) this.reconnectLater();
          else this.options.report(err as MlDashError);
        },
      );
    }, delay);
    this.options.unrefTimer?.(this.reconnectTimer);
  }

  /**
   * Hybrid resume: every stream of the local store whose count is ahead of the server's is
   * queued for upload from the local files, and the local params are sent again (a merge, so
   * sending them twice changes nothing).
   */
  private async catchUp(): Promise<void> {
    const local = this.options.local as LocalSide;
    const uploader = this.uploader as Uploader;
    if (!this.positionsKnown) {
      this.options.report(new RemoteError("The server does not report stream positions; only new records are uploaded", 0, undefined));
    }
    for (const { id: stream } of await listStreams(local.storage, local.dir)) {
      const target = await local.backend.cursor(stream, undefined);
      // A server that does not say where its streams end gets only what is new from now on.
      uploader.expect(stream, target, this.positionsKnown ? (this.positions.get(stream.key) ?? 0) : target);
    }
    const bytes = await local.storage.read(paths.parameters(local.dir));
    if (bytes && !this.params) {
      try {
        const doc = parsePyJson(new TextDecoder().decode(bytes)) as { data?: Record<string, PlainValue>; version?: number };
        if (doc.data && Object.keys(doc.data).length > 0) {
          this.params = { version: doc.version ?? 1, data: doc.data, changed: doc.data };
          this.sendParams().catch((err) => this.options.report(err));
        }
      } catch {
        // a corrupt parameters.json is rewritten by the next params.set()
      }
    }
  }
}
