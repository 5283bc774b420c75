/**
 * A pool of encoder workers, so turning big batches into JSONL (number formatting dominates:
 * ~1 µs per point) runs beside the training loop instead of on its thread. Runtimes offer
 * workers through `RuntimeHooks.spawnEncoder`; without one, or if a worker fails, encoding runs
 * inline with the same function and the same bytes.
 */
import { encodeBatchBytes, transferableJob, type EncodeJob } from "./encode-batch.ts";

/** A worker as the pool sees it (entries adapt Web Workers or node:worker_threads to this). */
export interface EncoderWorker {
  post(message: EncoderRequest, transfer: ArrayBuffer[]): void;
  /** Registers the handlers for replies and for the worker dying. */
  listen(onMessage: (reply: EncoderReply) => void, onError: (error: unknown) => void): void;
  terminate(): void;
  /**
   * Tells the runtime whether the worker has jobs: a busy worker must keep the process alive
   * (Node `ref`), an idle one must not (`unref`).
   */
  setBusy?(busy: boolean): void;
}

/** A request to a worker. */
export interface EncoderRequest {
  readonly id: number;
  readonly job: EncodeJob;
}

/** A worker's reply. */
export type EncoderReply = { readonly id: number; readonly bytes: Uint8Array } | { readonly id: number; readonly error: string };

interface Pending {
  job: EncodeJob;
  resolve(bytes: Uint8Array): void;
}

/** Records at or above which a batch is worth sending to a worker. */
export const OFFLOAD_MIN_RECORDS = 2000;

/** Encodes batches on workers, falling back to the caller's thread. */
export class EncoderPool {
  private readonly workers: { w: EncoderWorker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private broken = false;

  constructor(
    private readonly spawn: () => EncoderWorker,
    private readonly size: number,
  ) {}

  /**
   * Encodes `job`, on a worker when it is big enough and workers are available (bytes come back
   * synchronously when it is encoded inline).
   */
  encode(job: EncodeJob, records: number, helpWhenBusy = false): Promise<Uint8Array> | Uint8Array {
    if (this.broken || records < OFFLOAD_MIN_RECORDS) return encodeBatchBytes(job);
    const slot = this.pick();
    // With `helpWhenBusy` (the buffer is filling up) and every worker holding a job, the caller
    // encodes this batch itself: one more encoder, and the backpressure a logging loop needs —
    // a loop that yields often can otherwise log faster than the workers encode until the
    // buffer overflows (measured at 10M points: 4.8M dropped without this rule, none with it).
    if (!slot || (helpWhenBusy && slot.busy >= 1)) return encodeBatchBytes(job);
    const id = this.nextId++;
    const { job: sendable, transfer } = transferableJob(job);
    if (slot.busy++ === 0) slot.w.setBusy?.(true);
    return new Promise<Uint8Array>((resolve) => {
      this.pending.set(id, {
        job,
        resolve: (bytes) => {
          if (--slot.busy === 0) slot.w.setBusy?.(false);
          resolve(bytes);
        },
      });
      slot.w.post({ id, job: sendable }, transfer);
    });
  }

  /** Stops every worker; pending jobs finish inline. */
  close(): void {
    this.fail();
  }

  private pick(): { w: EncoderWorker; busy: number } | undefined {
    if (this.workers.length < this.size) {
      try {
        const w = this.spawn();
        const slot = { w, busy: 0 };
        w.listen(
          (reply) => this.settle(reply),
          () => this.fail(),
        );
        this.workers.push(slot);
        return slot;
      } catch {
        if (this.workers.length === 0) {
          this.broken = true;
          return undefined;
        }
      }
    }
    let best = this.workers[0];
    for (const s of this.workers) if (best === undefined || s.busy < best.busy) best = s;
    return best;
  }

  private settle(reply: EncoderReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    p.resolve("bytes" in reply ? reply.bytes : encodeBatchBytes(p.job));
  }

  /** A worker died or could not start: finish everything inline and stop offloading. */
  private fail(): void {
    this.broken = true;
    for (const { w } of this.workers.splice(0)) w.terminate();
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.resolve(encodeBatchBytes(p.job));
  }
}

/** Handles one request inside a worker. */
export function handleEncoderRequest(req: EncoderRequest): { reply: EncoderReply; transfer: ArrayBuffer[] } {
  try {
    const bytes = encodeBatchBytes(req.job);
    return { reply: { id: req.id, bytes }, transfer: [bytes.buffer as ArrayBuffer] };
  } catch (err) {
    return { reply: { id: req.id, error: err instanceof Error ? err.message : String(err) }, transfer: [] };
  }
}

const pools = new WeakMap<object, EncoderPool>();

/**
 * The process-wide pool of a runtime (one per runtime hooks object), created on first use;
 * `undefined` when the runtime cannot start workers.
 */
export function encoderPoolFor(runtime: { spawnEncoder?(): EncoderWorker }): EncoderPool | undefined {
  if (!runtime.spawnEncoder) return undefined;
  let pool = pools.get(runtime);
  if (!pool) {
    const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 2;
    pool = new EncoderPool(() => runtime.spawnEncoder!(), Math.max(1, Math.min(4, cores)));
    pools.set(runtime, pool);
  }
  return pool;
}
