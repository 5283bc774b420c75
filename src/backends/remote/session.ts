/**
 * `RemoteSession`: one experiment on an ML-Dash server as this process knows it — its ids, the
 * server's stream positions, the params waiting to be sent, its file API. Both the remote-only
 * backend and the hybrid one (src/replicate) talk to the server through a session: they differ
 * in how batches reach it, not in how the experiment is created, resumed or described.
 */
import type { ExperimentInfo, ParamsUpdate, RunStatus } from "../../model/backend.ts";
import { NetworkError, RemoteError, type MlDashError } from "../../errors.ts";
import type { Batch, StreamId } from "../../model/batch.ts";
import { DEFAULT_MAX_FILE_BYTES } from "../../model/defaults.ts";
import type { Sha256 } from "../../files/sha256.ts";
import type { RemoteClient } from "./client.ts";
import { createRemoteExperiment, fileTarget, patchStatus, postParams, serverPosition, syncExperiment, type RemoteExperiment } from "./experiment-api.ts";
import type { RemoteFilesApi } from "./files-api.ts";
import { isTransient, patiently } from "./retry.ts";
import { sendBatch, type Sent } from "./send-batch.ts";

/** How a run's files reach the server. */
export interface RemoteFilesSetup {
  /** The runtime's incremental SHA-256; without one the portable hash loads when a stream needs it. */
  readonly sha256: (() => Sha256) | undefined;
  readonly maxBytes: number;
  /** Whether fetch can stream a request body (not in browsers over HTTP/1.1). */
  readonly streamBodies: boolean;
}

/** Options of {@link RemoteSession}. */
export interface SessionOptions {
  readonly client: RemoteClient;
  /** Reports a background problem (counted, `onError`, warned once per kind). */
  readonly report: (err: MlDashError) => void;
  readonly files?: RemoteFilesSetup | undefined;
  /**
   * Hybrid: the experiment is created in the background (the run goes on while the server is
   * away), so params and files wait for that connection (and what follows it) before they go.
   */
  readonly background?: boolean;
  /** Runs once the experiment exists on the server, as part of connecting (hybrid: the catch-up). */
  readonly connected?: () => Promise<void>;
  /**
   * The id this client's batches carry (`protocol/writer-id.ts`), so other clients may append to
   * the same experiment; its records are numbered from where the server says this writer ends.
   * Undefined: numbered by the server's stream positions, keyed by the experiment id.
   */
  readonly writer?: string | undefined;
}

/** One experiment on the server. */
export class RemoteSession {
  private _id: string | undefined;
  private nodeId: string | undefined;
  private data: Record<string, unknown> | undefined;
  /** The server's next record number per stream key (from the create answer, then kept up to date). */
  private readonly _positions = new Map<string, number>();
  private _positionsKnown = false;
  private info: ExperimentInfo | undefined;
  private connecting: Promise<RemoteExperiment> | undefined;
  private connectError: unknown;
  private params: ParamsUpdate | undefined;
  private paramsSending: Promise<void> | undefined;
  private filesApi: RemoteFilesApi | undefined;
  /** Why {@link sync} sends nothing: the server has no sync request, or the run's end was sent (the server syncs then). */
  private noSync: "unsupported" | "ended" | undefined;

  /** See {@link SessionOptions.writer}; the hybrid backend sets it from its local store before connecting. */
  writer: string | undefined;

  constructor(private readonly options: SessionOptions) {
    this.writer = options.writer;
  }

  /** The HTTP client. */
  get client(): RemoteClient {
    return this.options.client;
  }

  /** The server's experiment id, once created. */
  get id(): string | undefined {
    return this._id;
  }

  /** Where the server's streams end, by stream key, as far as this process knows. */
  get positions(): ReadonlyMap<string, number> {
    return this._positions;
  }

  /** Whether the server reported its stream positions when the experiment was created. */
  get positionsKnown(): boolean {
    return this._positionsKnown;
  }

  /** Notes where the server's stream `key` ends now (after a batch, or a 409 gap). */
  moved(key: string, next: number): void {
    this._positions.set(key, next);
  }

  /** Creates (or resumes) the experiment of `info` on the server. */
  open(info: ExperimentInfo): Promise<RemoteExperiment> {
    this.info = info;
    return this.connect();
  }

  /** Creates (or resumes) the experiment, once; again after a failure. */
  connect(): Promise<RemoteExperiment> {
    if (this.connecting) return this.connecting;
    const info = this.info as ExperimentInfo;
    const attempt = (async () => {
      const exp = await createRemoteExperiment(this.client, info, this.writer);
      this._id = exp.id;
      this.nodeId = exp.nodeId;
      this.data = exp.data;
      // A writer's records are numbered in its own sequence when the server keeps one per writer.
      const known = this.writer !== undefined && exp.writerPositions ? exp.writerPositions : exp.positions;
      if (known) {
        this._positionsKnown = true;
        // A position this session already moved (a reconnect) is its own latest word.
        for (const [k, v] of known) if (!this._positions.has(k)) this._positions.set(k, v);
      }
      this.filesApi = undefined; // ids may differ after a reconnect
      await this.options.connected?.();
      return exp;
    })();
    this.connecting = attempt;
    attempt.catch((err) => {
      this.connecting = undefined;
      this.connectError = err;
    });
    return attempt;
  }

  /** Positions of the server's streams, once the experiment exists there (and is connected). */
  async ready(): Promise<ReadonlyMap<string, number>> {
    if (this.connecting) await this.connecting;
    else if (this._id === undefined) throw this.connectError ?? notYet();
    return this._positions;
  }

  /** The number the next record of `stream` gets on the server. */
  async cursor(stream: StreamId): Promise<number> {
    const known = this._positions.get(stream.key);
    if (known !== undefined) return known;
    // A server that does not report positions is asked for the metric's count.
    const next = await serverPosition(this.client, this.experimentId(), stream, this._positionsKnown ? this._positions : undefined);
    this._positions.set(stream.key, next);
    return next;
  }

  /** Sends one batch to the experiment (see `send-batch.ts`). */
  send(batch: Batch): Promise<Sent> {
    return sendBatch(this.client, this.experimentId(), batch, this.writer);
  }

  /** Sends the params state (the newest is sent; one request at a time). */
  writeParams(update: ParamsUpdate): Promise<void> {
    this.params = update;
    return this.sendParams();
  }

  /**
   * Queues params read back from the local store and sends them in the background, unless
   * newer ones are already waiting. A merge, so sending them twice changes nothing.
   */
  offerParams(update: ParamsUpdate): void {
    if (this.params) return;
    this.params = update;
    this.sendParams().catch((err) => this.options.report(err));
  }

  /**
   * Sends the params waiting, if any. A transient failure keeps them for the next call (and
   * rejects); a refusal is reported once and not retried.
   */
  sendParams(): Promise<void> {
    if (this.paramsSending) return this.paramsSending.then(() => (this.params ? this.sendParams() : undefined));
    const update = this.params;
    if (!update) return Promise.resolve();
    this.params = undefined;
    const run = async (): Promise<void> => {
      try {
        if (this.options.background) await this.ready();
        await postParams(this.client, this.experimentId(), update);
      } catch (err) {
        if (isTransient(err) || this._id === undefined) {
          this.params ??= update; // the newest state is sent next time
          throw err;
        }
        this.options.report(err as MlDashError); // refused for good: reported once, not retried
      }
    };
    this.paramsSending = run().finally(() => (this.paramsSending = undefined));
    return this.paramsSending;
  }

  /**
   * Records the run status. `patient`: a burst of failures gets the patience of a batch (the
   * PATCH is idempotent); otherwise one try.
   */
  async setStatus(status: RunStatus, patient: boolean): Promise<void> {
    if (!this.nodeId) await this.connect();
    const send = (): Promise<void> => patchStatus(this.client, this.nodeId as string, status);
    try {
      if (patient) await patiently(send);
      else await send();
    } finally {
      // The server syncs when it records a run's end; when it could not be reached, a sync
      // request would only spend the same patience again.
      if (status !== "RUNNING") this.noSync ??= "ended";
    }
  }

  /**
   * Asks the server to make what it acknowledged durable against power loss (`exp.flush()`),
   * with a batch's patience. Nothing is sent when the server cannot (ML-Dash's own) or has
   * already done it for the run's end, nor before the experiment exists there.
   */
  async sync(): Promise<void> {
    if (this.noSync || this._id === undefined) return;
    const id = this._id;
    if (!(await patiently(() => syncExperiment(this.client, id)))) this.noSync = "unsupported";
  }

  /** The file API of the experiment on the server. */
  async fileApi(): Promise<RemoteFilesApi> {
    if (this.filesApi) return this.filesApi;
    if (this.options.background) await this.ready();
    // The files' code (uploads, multipart bodies, listings) loads with the first file to send
    // or read: a run without files never downloads it.
    const { RemoteFilesApi } = await import("./files-api.ts");
    if (this.filesApi) return this.filesApi;
    const owner = this.info?.prefix.owner;
    if (this._id === undefined || this.nodeId === undefined || owner === undefined) {
      throw new NetworkError("The experiment is not on the server yet (it could not be reached at start); its files follow once it is");
    }
    const f = this.options.files;
    this.filesApi = new RemoteFilesApi(this.client, fileTarget({ id: this._id, nodeId: this.nodeId, data: this.data ?? {} }, owner), {
      sha256: f?.sha256,
      maxBytes: f?.maxBytes ?? DEFAULT_MAX_FILE_BYTES,
      streamBodies: f?.streamBodies ?? true,
    });
    return this.filesApi;
  }

  /** The experiment id; throws while the experiment does not exist on the server. */
  private experimentId(): string {
    if (this._id === undefined) throw notYet();
    return this._id;
  }
}

function notYet(): RemoteError {
  return new RemoteError("The experiment does not exist on the server yet", 0, undefined);
}

