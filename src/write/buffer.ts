/**
 * The per-experiment buffer. Writes enqueue synchronously into per-stream queues; flush cycles
 * (on an interval, when a stream reaches `maxBatch`, and on `flush()`) seal whole batches and
 * hand them to the primary backend, then to the secondaries. Memory is bounded by bytes: past
 * `maxQueueBytes` the writing call stores the waiting records itself (`onFull: "block"`, the
 * default; see {@link Buffer.relieve}) or the oldest waiting records are dropped, counted and
 * reported, never silently (`onFull: "drop"`).
 * A background failure never throws into the caller: it is counted, reported through
 * `onError`, and surfaces from the next `flush()`.
 */
import type { Backend, ParamsUpdate } from "../model/backend.ts";
import { DataLossError, type MlDashError } from "../errors.ts";
import { nowMs } from "../internal/clock.ts";
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_MAX_BATCH, DEFAULT_MAX_QUEUE_BYTES } from "../model/defaults.ts";
import type { BufferOptions, DropInfo } from "../model/options.ts";
import type { ExperimentStats } from "../model/stats.ts";
import type { PlainObject, PlainValue } from "../model/values.ts";
import type { Batch, LogRecord, StreamId, StreamInfo } from "../model/batch.ts";
import { streamId } from "../model/batch.ts";
import { LogQueue, MetricQueue, TrackQueue, type AnyQueue } from "./stream-queue.ts";
import { checkRecordSize } from "./estimate-bytes.ts";
import { releaseColumns } from "./release-columns.ts";
import { spareBuffers } from "../internal/spare-buffers.ts";
import { dropForRoom, HIGH_WATER, RELIEVE_TO, runPool, storeInline, toMlDashError } from "./backpressure.ts";


/** How the buffer talks back to its experiment. */
export interface BufferHooks {
  /** Reports a background error (counted, passed to `onError`, warned once). */
  report(err: MlDashError): void;
  /** Lets a pending timer not keep the process alive (Node, Deno). */
  unrefTimer?: ((handle: unknown) => void) | undefined;
}

interface Waiter {
  readonly gen: number;
  readonly explicit: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

/** Most sealed batches a stream holds ahead of its writes (sealed records cannot be dropped). */
const SEAL_AHEAD = 8;

const DEFAULTS = { flushIntervalMs: DEFAULT_FLUSH_INTERVAL_MS, maxBatch: DEFAULT_MAX_BATCH, maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES };

/** The buffer of one experiment. */
export class Buffer {
  readonly flushIntervalMs: number;
  readonly maxBatch: number;
  readonly maxQueueBytes: number;
  private readonly dropWhenFull: boolean;
  /** Queued bytes past which a write makes room (`onFull`: "drop" at the bound, "block" before it). */
  private readonly highWater: number;
  /** `highWater`, raised while what waits cannot be stored synchronously (so that is not retried on every call). */
  private limit: number;
  private readonly onDrop: ((info: DropInfo) => void) | undefined;
  private readonly queues = new Map<string, AnyQueue>();
  private dirty: AnyQueue[] = [];
  private params: ParamsUpdate | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private soonScheduled = false;
  private requested = 0;
  private completed = 0;
  private running = false;
  private waiters: Waiter[] = [];
  private droppedUnreported = 0;
  private closed = false;

  constructor(
    private readonly primary: Backend,
    private readonly secondaries: readonly Backend[],
    readonly stats: ExperimentStats,
    private readonly hooks: BufferHooks,
    options: BufferOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULTS.flushIntervalMs;
    this.maxBatch = options.maxBatch ?? DEFAULTS.maxBatch;
    this.maxQueueBytes = options.maxQueueBytes ?? DEFAULTS.maxQueueBytes;
    this.onDrop = options.onDrop;
    this.dropWhenFull = options.onFull === "drop";
    this.highWater = this.dropWhenFull ? this.maxQueueBytes : this.maxQueueBytes * HIGH_WATER;
    this.limit = this.highWater;
  }

  /** The log's queue. */
  logQueue(): LogQueue {
    return this.get(streamId("log", null), (id) => new LogQueue(id, undefined)) as LogQueue;
  }

  /** The queue of a metric, created on first use (`info` counts on creation only). */
  metricQueue(id: StreamId, info?: StreamInfo): MetricQueue {
    return this.get(id, (i) => new MetricQueue(i, info)) as MetricQueue;
  }

  /** The queue of a track, created on first use. */
  trackQueue(topic: string, info?: StreamInfo): TrackQueue {
    return this.get(streamId("track", topic), (id) => new TrackQueue(id, info)) as TrackQueue;
  }

  private get(id: StreamId, make: (id: StreamId) => AnyQueue): AnyQueue {
    let q = this.queues.get(id.key);
    if (!q) this.queues.set(id.key, (q = make(id)));
    return q;
  }

  /** Enqueues a log record. Synchronous; never throws for background reasons. */
  pushLog(q: LogQueue, rec: LogRecord, bytes: number): void {
    checkRecordSize(q.id.key, bytes, this.maxQueueBytes);
    q.pending.push(rec);
    q.pendingBytes += bytes;
    this.accept(q, 1, bytes, q.pending.length);
  }

  /**
   * Accounts for a metric row the hot path wrote straight into `q.tail` (no call overhead
   * beyond this one).
   */
  committedMetric(q: MetricQueue, bytes: number): void {
    q.committed(bytes);
    this.accept(q, 1, bytes, q.pendingCount);
  }

  /** Enqueues a metric point the hot path could not take (`keys` given when every value is a number). */
  pushMetric(q: MetricQueue, point: PlainObject, keys: readonly string[] | undefined, bytes: number): void {
    checkRecordSize(q.id.key, bytes, this.maxQueueBytes);
    q.add(point, keys, bytes);
    this.accept(q, 1, bytes, q.pendingCount);
  }

  /** Enqueues a track entry, merging with a waiting entry of the same timestamp. */
  pushTrack(q: TrackQueue, ts: number, data: Record<string, PlainValue>, bytes: number): void {
    checkRecordSize(q.id.key, bytes, this.maxQueueBytes);
    const isNew = q.add(ts, data, bytes);
    this.accept(q, isNew ? 1 : 0, bytes, q.pendingCount);
  }

  private accept(q: AnyQueue, records: number, bytes: number, waiting: number): void {
    const s = this.stats;
    s.queued += records;
    s.queuedBytes += bytes;
    if (!q.dirty) {
      q.dirty = true;
      this.dirty.push(q);
    }
    if (s.queuedBytes > this.limit) {
      if (this.dropWhenFull) this.overflow(q);
      else this.relieve(q);
    }
    if (waiting >= this.maxBatch) this.soon();
    else if (this.timer === undefined) this.arm();
  }

  /** Replaces the pending params state (merging the changed keys of an unflushed update). */
  setParams(update: ParamsUpdate): void {
    const prev = this.params;
    this.params = prev ? { ...update, changed: { ...prev.changed, ...update.changed } } : update;
    this.soon();
  }

  /**
   * Resolves when everything enqueued before the call is stored by every backend. Rejects with
   * the error that kept data back (the data stays queued and is retried), or with
   * {@link DataLossError} when records were dropped since the last explicit flush.
   */
  flush(explicit = true): Promise<void> {
    const gen = ++this.requested;
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ gen, explicit, resolve, reject }));
    if (!this.running) void this.loop();
    return p;
  }

  /** Stops the timer. Queued data stays until the next `flush()`. The spare buffers go (a process keeps none for a finished run). */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    spareBuffers.clear();
  }

  private arm(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.background();
    }, this.flushIntervalMs);
    this.hooks.unrefTimer?.(this.timer);
  }

  private soon(): void {
    if (this.soonScheduled || this.closed) return;
    this.soonScheduled = true;
    queueMicrotask(() => {
      this.soonScheduled = false;
      this.sealFull();
      this.background();
    });
  }

  /**
   * Seals every stream holding a full batch and hands the new batches to the primary's
   * `prepare`, so their encoding starts now rather than when the write cycle reaches them (a
   * cycle only takes what was sealed when it began, and encoder threads idled between cycles).
   */
  private sealFull(): void {
    const prepare = this.primary.prepare?.bind(this.primary);
    if (!prepare) return;
    for (const q of this.dirty) {
      // A stream whose sealed batches are not being written fast enough keeps the rest waiting:
      // only waiting records can be dropped when the buffer passes its byte bound.
      if (q.cursor === undefined || q.pendingCount < this.maxBatch || q.sealed.length >= SEAL_AHEAD) continue;
      const before = q.sealed.length;
      q.seal(this.maxBatch, nowMs());
      prepare(q.id, q.sealed.slice(before));
    }
  }

  private background(): void {
    this.flush(false).catch(() => undefined); // errors were reported by the cycle
  }

  /** `onFull: "block"`: the writing call stores what waits (see {@link storeInline}). */
  private relieve(current: AnyQueue): void {
    const s = this.stats;
    storeInline(this.primary, [current, ...this.queues.values()], {
      maxBatch: this.maxBatch,
      target: this.maxQueueBytes * RELIEVE_TO,
      queuedBytes: () => s.queuedBytes,
      stored: (q, batches) => {
        this.finish(q, batches);
        q.storedSync = true; // the next cycle writes its metadata
        this.markDirty(q);
      },
      report: (err) => this.hooks.report(toMlDashError(err)),
    });
    // Still over (nothing could be stored now): try again an eighth of the bound further on.
    this.limit = s.queuedBytes > this.highWater ? s.queuedBytes + this.maxQueueBytes / 8 : this.highWater;
    this.soon();
  }

  /** `onFull: "drop"`: drops the oldest waiting records of the current stream. */
  private overflow(current: AnyQueue): void {
    const s = this.stats;
    const { count, bytes } = dropForRoom(current, s.queuedBytes, this.maxQueueBytes);
    if (count === 0) return;
    s.queued -= count;
    s.queuedBytes -= bytes;
    this.recordDrop(current.id, count, "overflow");
  }

  /** Counts and reports dropped records. */
  recordDrop(stream: StreamId, count: number, reason: DropInfo["reason"]): void {
    this.stats.dropped += count;
    this.droppedUnreported += count;
    this.onDrop?.({ stream: stream.key, count, reason });
    this.hooks.report(
      new DataLossError(
        reason === "overflow"
          ? `Dropped ${count} waiting record(s) of ${stream.key}: the buffer passed maxQueueBytes (${this.maxQueueBytes} bytes). ` +
              "Yield to the event loop more often (await something in the training loop) or raise buffer.maxQueueBytes"
          : `Dropped ${count} record(s) of ${stream.key}: the server refused them`,
        count,
      ),
    );
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.completed < this.requested) {
        const gen = this.requested;
        // Secondaries (the server in hybrid mode) are waited for only by an explicit flush():
        // a background cycle must never hold local writes back behind a slow network.
        const explicit = this.waiters.some((w) => w.gen <= gen && w.explicit);
        const errors = await this.cycle(explicit);
        this.completed = gen;
        const ready = this.waiters.filter((w) => w.gen <= gen);
        this.waiters = this.waiters.filter((w) => w.gen > gen);
        const failure = errors[0];
        let loss: DataLossError | undefined;
        if (this.droppedUnreported > 0 && ready.some((w) => w.explicit)) {
          loss = new DataLossError(
            `${this.droppedUnreported} record(s) were dropped since the last flush and could not be kept; see exp.stats.dropped`,
            this.droppedUnreported,
          );
          this.droppedUnreported = 0;
        }
        for (const w of ready) {
          const err = failure ?? (w.explicit ? loss : undefined);
          if (err) w.reject(err);
          else w.resolve();
        }
        if (this.queuedRecords() > 0 && this.timer === undefined) this.arm();
      }
    } finally {
      this.running = false;
    }
  }

  private queuedRecords(): number {
    return this.stats.queued;
  }

  /** One flush cycle: params, then every dirty stream, then the secondaries. Returns the errors. */
  private async cycle(waitForSecondaries: boolean): Promise<MlDashError[]> {
    const errors: MlDashError[] = [];
    const fail = (err: unknown): void => {
      const e = toMlDashError(err);
      errors.push(e);
      this.hooks.report(e);
    };
    const params = this.params;
    if (params) {
      this.params = undefined;
      try {
        await this.primary.writeParams(params);
        for (const s of this.secondaries) s.writeParams(params).catch(fail);
      } catch (err) {
        this.params ??= params;
        fail(err);
      }
    }
    const queues = this.dirty;
    this.dirty = [];
    for (const q of queues) q.dirty = false;
    await runPool(queues, 4, (q) => this.writeQueue(q).catch(fail));
    if (waitForSecondaries) await Promise.all(this.secondaries.map((s) => s.flush?.().catch(fail)));
    return errors;
  }

  private async writeQueue(q: AnyQueue): Promise<void> {
    try {
      q.cursor ??= await this.primary.cursor(q.id, q.info);
    } catch (err) {
      this.markDirty(q);
      throw err;
    }
    q.seal(this.maxBatch, nowMs());
    if (q.sealed.length === 0 && !q.storedSync) return;
    q.storedSync = false;
    const batches = q.sealed.slice();
    try {
      await this.primary.write(q.id, batches);
    } catch (err) {
      this.markDirty(q); // kept, in order, and retried by the next cycle
      q.storedSync = true; // and metadata that `writeSync` left behind, if any
      throw err;
    }
    this.finish(q, batches);
  }

  /**
   * Accounts for batches of `q` the primary now holds (a prefix of `q.sealed`, in order; those
   * already accounted by the other write path are skipped) and hands them to the secondaries.
   */
  private finish(q: AnyQueue, stored: readonly Batch[]): void {
    let records = 0;
    let bytes = 0;
    const fresh: Batch[] = [];
    for (const b of stored) {
      if (q.sealed[0] !== b) continue; // accounted already (by `relieve` or a write cycle)
      q.sealed.shift();
      records += b.count;
      bytes += b.bytes;
      fresh.push(b);
    }
    const last = fresh[fresh.length - 1];
    if (last === undefined) return;
    q.cursor = Math.max(q.cursor ?? 0, last.first + last.count);
    const s = this.stats;
    s.queued -= records;
    s.queuedBytes -= bytes;
    if (s.queuedBytes <= this.highWater) this.limit = this.highWater;
    // A remote backend counts `sent` itself: it alone knows what the server acknowledged.
    if (this.primary.role === "local") s.written += records;
    for (const sec of this.secondaries) sec.write(q.id, fresh).catch((err) => this.hooks.report(toMlDashError(err)));
    if (this.secondaries.length === 0) releaseColumns(fresh, q.sealed[0]); // reused by later points
  }

  /**
   * Seals every waiting record (of streams whose numbering is known) and returns every batch
   * not yet stored by the primary, in order, for a last keepalive send when a page goes away.
   * The batches stay queued: the next flush stores them as usual.
   */
  sealForUnload(): Batch[] {
    const out: Batch[] = [];
    for (const q of this.queues.values()) {
      if (q.cursor !== undefined) q.seal(this.maxBatch, nowMs());
      out.push(...q.sealed);
    }
    return out;
  }

  private markDirty(q: AnyQueue): void {
    if (!q.dirty) {
      q.dirty = true;
      this.dirty.push(q);
    }
  }
}
