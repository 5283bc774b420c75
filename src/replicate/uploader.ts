/**
 * The hybrid upload engine: the local store is the write-ahead log, and the server catches up
 * with it stream by stream. Each stream has an outbox holding the server's position (`acked`),
 * how far the local store goes (`target`), and recent batches kept in memory so the usual case
 * never reads the disk. Whatever is not in memory (after a restart, an outage, or a memory cap)
 * is read back from the local files. One request per stream is in flight, so records arrive in
 * order; the server skips what it already holds and answers 409 with its position on a gap.
 *
 * Transient failures pause every stream with jittered exponential backoff (1 s … 60 s) and are
 * retried for as long as the process lives; a refused batch (400, 401, 403, 404, 413, 422…) is
 * reported once and its stream stops uploading (the records stay in the local store for the
 * next run or `ml-dash upload`). Nothing is ever retried in a tight loop.
 */
import { MlDashError, StorageError } from "../errors.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import type { Batch, StreamId, StreamInfo } from "../model/batch.ts";
import { coalesce, tailOf } from "../protocol/batch-ops.ts";
import { isTransient, Rounds } from "../backends/remote/retry.ts";
import type { Sent } from "../backends/remote/send-batch.ts";
import { LOCAL_CHUNK, LocalStreamSource, sendTail, type TailStep } from "./local-tail.ts";

interface Waiter {
  readonly upTo: number;
  resolve(): void;
  reject(err: unknown): void;
}

/** One stream's upload state. */
export class Outbox {
  /** The server's next record number, once known. */
  acked: number | undefined;
  /** Records the local store holds. */
  target = 0;
  batches: Batch[] = [];
  bytes = 0;
  /**
   * Server index minus local index. Non-zero only when the server already held more of the
   * stream than the local store when the run opened (the local store was reset): the local
   * records then go after the server's, still with positions, so nothing is lost or doubled.
   */
  shift = 0;
  /** Set when the server refused a batch for good. */
  blocked: MlDashError | undefined;
  pumping = false;
  waiters: Waiter[] = [];
  source: LocalStreamSource | undefined;

  constructor(
    readonly stream: StreamId,
    public info: StreamInfo | undefined,
  ) {}

  /** Nothing left to send (or nothing more will be sent). */
  get done(): boolean {
    return this.blocked !== undefined || (this.acked !== undefined && this.acked >= this.target);
  }
}

/** What the uploader needs from its backend. */
export interface UploaderHooks {
  /** Sends one batch to the (open) experiment. */
  send(batch: Batch): Promise<Sent>;
  /** Resolves once the experiment exists on the server, with the server's stream positions. */
  ready(): Promise<ReadonlyMap<string, number>>;
  /** Reports a problem (counted, `onError`, warned once per kind). */
  report(err: MlDashError): void;
  /** Records acknowledged. */
  acknowledged(records: number, bytes: number): void;
  /** Lets a timer not hold the process open. */
  unrefTimer?: ((handle: unknown) => void) | undefined;
}

/** Uploads a local experiment folder's streams to the server and keeps them caught up. */
export class Uploader {
  readonly outboxes = new Map<string, Outbox>();
  private memory = 0;
  private inflight = 0;
  private readonly slots: (() => void)[] = [];
  /** Transient failures pause every stream, then all are tried again (see `retry.ts`). */
  private readonly rounds: Rounds;
  private closed = false;

  constructor(
    private readonly storage: StorageAdapter,
    private readonly dir: string,
    private readonly hooks: UploaderHooks,
    private readonly options: { maxMemoryBytes: number; concurrency: number },
  ) {
    this.rounds = new Rounds(() => {
      for (const o of this.outboxes.values()) void this.pump(o);
    }, hooks.unrefTimer);
  }

  /** The outbox of a stream (created on first use). */
  outbox(stream: StreamId, info?: StreamInfo): Outbox {
    let o = this.outboxes.get(stream.key);
    if (!o) this.outboxes.set(stream.key, (o = new Outbox(stream, info)));
    if (info && !o.info) o.info = info;
    return o;
  }

  /**
   * Notes where a stream stands at open: the local store holds `target` records, the server
   * `server`. The tail the server lacks is uploaded from the local files (resume after a restart).
   */
  expect(stream: StreamId, target: number, server: number, info?: StreamInfo): void {
    const o = this.outbox(stream, info);
    o.target = Math.max(o.target, target);
    this.place(o, target, server);
    void this.pump(o);
  }

  /** Sets where the server is, in local numbering (once per stream). */
  private place(o: Outbox, local: number, server: number): void {
    if (o.acked !== undefined) return;
    if (server <= local) {
      o.acked = server;
      return;
    }
    o.shift = server - local;
    o.acked = local;
    this.hooks.report(
      new StorageError(
        `The server already holds ${server} records of ${o.stream.key} but the local store only ${local} (was it reset?); ` +
          `the local records are appended after the server's (server index = local index + ${o.shift})`,
        { code: "REMOTE_AHEAD" },
      ),
    );
  }

  /** Takes batches the local store now holds; they are sent from memory when their turn comes. */
  enqueue(stream: StreamId, batches: readonly Batch[]): void {
    if (batches.length === 0 || this.closed) return;
    const o = this.outbox(stream, batches[0]?.info);
    for (const b of batches) {
      o.batches.push(b);
      o.bytes += b.bytes;
      this.memory += b.bytes;
      o.target = Math.max(o.target, b.first + b.count);
    }
    if (this.memory > this.options.maxMemoryBytes) this.spill();
    void this.pump(o);
  }

  /**
   * Resolves when the server holds every record the local store held at the call; rejects with
   * the error once `PATIENCE` rounds (`retry.ts`) of attempts failed (the upload goes on in the
   * background). Streams the server refused are not waited for: that refusal was reported.
   */
  flush(): Promise<void> {
    this.rounds.resume(true); // an explicit flush gets one more round
    const waits: Promise<void>[] = [];
    for (const o of this.outboxes.values()) {
      if (o.done) continue;
      waits.push(new Promise<void>((resolve, reject) => o.waiters.push({ upTo: o.target, resolve, reject })));
      void this.pump(o);
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** True while the server keeps failing the upload (reset by the next batch it takes). */
  get failing(): boolean {
    return this.rounds.failing;
  }

  /** Tries every stream now (after the experiment was created on the server, or an outage ended). */
  kick(): void {
    this.rounds.resume();
    for (const o of this.outboxes.values()) void this.pump(o);
  }

  /** Stops uploading (what is left stays in the local store). */
  close(): void {
    this.closed = true;
    this.rounds.close();
    const err = new StorageError("The experiment was closed before the server caught up; the local store keeps the rest", { code: "CLOSED" });
    for (const o of this.outboxes.values()) this.settle(o, err);
  }

  /** In-memory batches not yet acknowledged, per stream (for a last keepalive flush). */
  pending(): Outbox[] {
    return [...this.outboxes.values()].filter((o) => !o.done);
  }

  /** Drops the largest outbox's in-memory batches: the local store has them. */
  private spill(): void {
    let largest: Outbox | undefined;
    for (const o of this.outboxes.values()) if (!largest || o.bytes > largest.bytes) largest = o;
    if (!largest) return;
    this.memory -= largest.bytes;
    largest.batches = [];
    largest.bytes = 0;
  }

  private pause(err: MlDashError): void {
    // Waiting flushes hear of the failure only once the patience is spent; until then the
    // pause ends and the upload is tried again.
    if (this.rounds.failed()) for (const o of this.outboxes.values()) this.settle(o, err);
  }

  /** Resolves waiters the position satisfies; with `err`, rejects the rest. */
  private settle(o: Outbox, err?: unknown): void {
    const acked = o.acked ?? 0;
    const left: Waiter[] = [];
    for (const w of o.waiters) {
      if (o.blocked || acked >= w.upTo) w.resolve();
      else if (err !== undefined) w.reject(err);
      else left.push(w);
    }
    o.waiters = left;
  }

  private async pump(o: Outbox): Promise<void> {
    if (o.pumping || this.closed) return;
    o.pumping = true;
    try {
      if (o.acked === undefined) {
        // A stream the local store did not have when the run opened: it starts at 0 locally.
        const positions = await this.hooks.ready();
        this.place(o, 0, positions.get(o.stream.key) ?? 0);
      }
      while (!this.closed && !o.done && !this.rounds.paused) {
        const chunk = await this.nextChunk(o);
        if (!chunk) {
          o.blocked = new StorageError(
            `The local store holds fewer records of ${o.stream.key} than expected (${o.acked} of ${o.target}); upload of this stream stopped`,
          );
          this.hooks.report(o.blocked);
          break;
        }
        await this.slot();
        let step: TailStep;
        try {
          step = await sendTail(this.hooks.send, chunk, o.shift);
        } catch (err) {
          const e = err instanceof MlDashError ? err : new StorageError(String(err), { cause: err });
          if (this.closed) break;
          this.hooks.report(e);
          if (isTransient(e)) this.pause(e);
          else o.blocked = e;
          break;
        } finally {
          this.release();
        }
        o.acked = step.next;
        if (!step.sent) continue; // a gap: resend from where the server is, out of the local store
        this.rounds.succeeded();
        this.hooks.acknowledged(Math.max(0, Math.min(chunk.count, step.next - chunk.first)), step.sent.bytes);
        this.settle(o);
      }
    } catch (err) {
      // ready() failed: the experiment could not be created; the backend retries that
      this.settle(o, err);
    } finally {
      o.pumping = false;
      this.settle(o);
    }
  }

  /** The next records to send: from memory when there, else from the local store. */
  private async nextChunk(o: Outbox): Promise<Batch | undefined> {
    const acked = o.acked ?? 0;
    while (o.batches.length > 0) {
      const b = o.batches[0] as Batch;
      if (b.first + b.count > acked) break;
      o.batches.shift();
      o.bytes -= b.bytes;
      this.memory -= b.bytes;
    }
    const b = o.batches[0];
    if (b && b.first <= acked) {
      // Batches waiting behind this one go in the same request (up to a size bound).
      const run = coalesce([tailOf(b, acked), ...o.batches.slice(1)])[0] as Batch;
      return run;
    }
    const end = b ? b.first : o.target;
    o.source ??= new LocalStreamSource(this.storage, this.dir, o.stream, o.info);
    return o.source.batch(acked, Math.min(end - acked, LOCAL_CHUNK));
  }

  private slot(): Promise<void> {
    if (this.inflight < this.options.concurrency) {
      this.inflight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slots.push(resolve));
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.inflight--;
  }
}
