/**
 * `RemoteBackend`: an ML-Dash server as the only destination of an experiment's data (no local
 * store). The buffer hands it sealed batches and waits; each is sent in order, retried by the
 * policy of `retry.ts` (the client's retries, then rounds with pauses), and kept by the buffer
 * when those run out (bounded by `maxQueueBytes`). A batch the server refuses for good is
 * reported once and counted as dropped, never retried forever.
 *
 * Every batch carries its position and an idempotency key under this run's own writer id
 * (`protocol/writer-id.ts`), so a retry after a lost answer never stores a record twice, and
 * another client appending to the same experiment meanwhile loses nothing either. With a local store, the hybrid backend of
 * `src/replicate` is used instead.
 */
import type { Backend, ExperimentInfo, OpenState, ParamsUpdate, RunStatus } from "../../model/backend.ts";
import type { MlDashError } from "../../errors.ts";
import type { FileStore } from "../../files/types.ts";
import type { ExperimentStats } from "../../model/stats.ts";
import type { Batch, StreamId } from "../../model/batch.ts";
import { coalesce, tailOf } from "../../protocol/batch-ops.ts";
import type { RemoteClient } from "./client.ts";
import { fetchParams } from "./experiment-api.ts";
import { anotherRound, isTransient, patiently } from "./retry.ts";
import { StreamGap } from "./send-batch.ts";
import { RemoteSession, type RemoteFilesSetup } from "./session.ts";
import { UnloadPlan, type UnloadResult } from "./unload.ts";
import { RemoteFileStore } from "./remote-file-store.ts";
import { newWriterId } from "../../protocol/writer-id.ts";

/** Options of {@link RemoteBackend}. */
export interface RemoteBackendOptions {
  readonly client: RemoteClient;
  readonly stats: ExperimentStats;
  /** Reports a background problem (counted, `onError`, warned once per kind). */
  readonly report: (err: MlDashError) => void;
  /** Records the server refused for good (the buffer counts them as dropped). */
  readonly drop: (stream: StreamId, count: number) => void;
  /** Files: the hash, the size limit, whether bodies can stream. */
  readonly files?: RemoteFilesSetup | undefined;
}

/** An ML-Dash server as the only backend of a run. */
export class RemoteBackend implements Backend {
  readonly role = "remote" as const;
  /** `exp.files` of this run: the server's files. */
  readonly files: FileStore;
  private readonly session: RemoteSession;

  constructor(private readonly options: RemoteBackendOptions) {
    this.session = new RemoteSession({ client: options.client, report: options.report, files: options.files, writer: newWriterId() });
    this.files = new RemoteFileStore(() => this.session.fileApi());
  }

  /** The server's experiment id, once created. */
  get id(): string | undefined {
    return this.session.id;
  }

  /** The HTTP client (shared with the reader). */
  get client(): RemoteClient {
    return this.options.client;
  }

  /**
   * Creates (or resumes) the experiment and loads its params, with a batch's patience: with no
   * local store to start on, a remote-only run waits out a bad minute of the network (rounds of
   * retries, see `retry.ts`) before `start()` fails; a refusal (401, 403, 422…) fails at once.
   */
  async open(info: ExperimentInfo): Promise<OpenState> {
    const exp = await patiently(() => this.session.open(info));
    const params = await patiently(() => fetchParams(this.client, exp.id));
    return { params: params.data, paramsVersion: params.version, data: exp.data, id: exp.id };
  }

  cursor(stream: StreamId): Promise<number> {
    return this.session.cursor(stream);
  }

  async write(_stream: StreamId, batches: readonly Batch[]): Promise<void> {
    for (const b of coalesce(batches)) await this.sendInOrder(b);
  }

  writeParams(update: ParamsUpdate): Promise<void> {
    return this.session.writeParams(update);
  }

  /** The status is the run's last word with no queue to wait in: a burst of failures gets the patience of a batch. */
  setStatus(status: RunStatus): Promise<void> {
    return this.session.setStatus(status, true);
  }

  /** Asks the server to make what it acknowledged durable (`exp.flush()`; the run's end status does it too). */
  sync(): Promise<void> {
    return this.session.sync();
  }

  async close(): Promise<void> {}

  /**
   * Sends what fits of `extra` (batches the buffer sealed but the server has not acknowledged)
   * in `keepalive` requests (64 KiB in all: see `unload.ts`); they stay queued, so a page that
   * stays after all sends them again, harmlessly. Call it from `pagehide` / `visibilitychange`.
   */
  flushForUnload(extra: readonly Batch[] = [], budgetBytes = 64 * 1024): UnloadResult {
    const plan = new UnloadPlan();
    for (const b of extra) plan.add(b.stream, this.session.positions.get(b.stream.key), 0, [b]);
    return plan.send(this.client, this.session.id, budgetBytes, this.session.writer);
  }

  /** Sends one batch, after everything before it. */
  private async sendInOrder(b: Batch): Promise<void> {
    const key = b.stream.key;
    const session = this.session;
    let failures = 0;
    for (;;) {
      const acked = session.positions.get(key) ?? b.first;
      if (b.first + b.count <= acked) return; // an earlier attempt got through
      if (b.first > acked) {
        // The server holds fewer records than this run numbered (it lost some, or refused a batch):
        // number this batch to follow what it holds, so the stream stays gap-free.
        b.first = acked;
      }
      const chunk = tailOf(b, acked);
      try {
        const sent = await session.send(chunk);
        session.moved(key, sent.next);
        this.options.stats.sent += chunk.count;
        this.options.stats.bytes += sent.bytes;
        return;
      } catch (err) {
        if (err instanceof StreamGap) {
          session.moved(key, err.next);
          continue;
        }
        if (isTransient(err)) {
          if (await anotherRound(++failures)) continue;
          throw err; // kept by the buffer, tried again on the next flush
        }
        this.options.report(err as MlDashError);
        this.options.drop(b.stream, chunk.count);
        return;
      }
    }
  }
}
