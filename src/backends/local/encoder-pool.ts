/**
 * A pool of encoder workers, so turning big batches into JSONL (number formatting dominates:
 * ~1 µs per point) runs beside the training loop instead of on its thread. Runtimes offer
 * workers through `RuntimeHooks.spawnEncoder`; without one, or if a worker fails, encoding runs
 * inline with the same function and the same bytes.
 */
import { encodeBatchBytes, expectedBytes, jobBuffers, transferableJob, type EncodeJob } from "./encode-batch.ts";
import type { EncoderReply, EncoderRequest, EncoderWorker } from "../../model/runtime-services.ts";
import { spareBuffers } from "../../internal/spare-buffers.ts";

export type { EncoderReply, EncoderRequest, EncoderWorker } from "../../model/runtime-services.ts";

interface Pending {
  /** The job, to encode inline if the worker fails; none for a warm-up sample. */
  job: EncodeJob | undefined;
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
  private warming: Promise<void> | undefined;
  private encodedOnWorkers = 0;
  /** Bytes were given back (`recycle`): encode into reusable arrays from now on. */
  private recycling = false;

  constructor(
    private readonly spawn: () => EncoderWorker,
    private readonly size: number,
  ) {}

  /**
   * Encodes `job`, on a worker when it has at least `minRecords` records and workers are
   * available (bytes come back synchronously when it is encoded inline).
   */
  encode(job: EncodeJob, records: number, helpWhenBusy = false, minRecords = OFFLOAD_MIN_RECORDS): Promise<Uint8Array> | Uint8Array {
    if (this.broken || records < minRecords) return this.encodeHere(job);
    const slot = this.pick();
    // With `helpWhenBusy` (the buffer is filling up) and every worker holding a job, the caller
    // encodes this batch itself: one more encoder, and the backpressure a logging loop needs —
    // a loop that yields often can otherwise log faster than the workers encode until the
    // buffer overflows (measured at 10M points: 4.8M dropped without this rule, none with it).
    if (!slot || (helpWhenBusy && slot.busy >= 1)) return this.encodeHere(job);
    const id = this.nextId++;
    const { job: sendable, transfer } = transferableJob(job, spareBuffers.float64);
    const out = this.outArray(job);
    if (out) transfer.push(out);
    if (slot.busy++ === 0) slot.w.setBusy?.(true);
    return new Promise<Uint8Array>((resolve) => {
      this.pending.set(id, {
        job,
        resolve: (bytes) => {
          if (--slot.busy === 0) slot.w.setBusy?.(false);
          resolve(bytes);
        },
      });
      slot.w.post(out ? { id, job: sendable, out } : { id, job: sendable }, transfer);
    });
  }

  /**
   * Gives back bytes this pool encoded once they are stored and nothing holds them any more
   * (a synchronous append copied them): their buffer encodes a later batch. Bytes still
   * referenced elsewhere must not be given.
   */
  recycle(bytes: Uint8Array): void {
    this.recycling = true;
    spareBuffers.give(bytes.buffer);
  }

  /** Encodes `job` on the caller's thread (into a spare output array once bytes come back). */
  encodeHere(job: EncodeJob): Uint8Array {
    const out = this.outArray(job);
    return encodeBatchBytes(job, out && new Uint8Array(out));
  }

  /**
   * The array `job` is encoded into, once the caller gives bytes back (`recycle`): a spare big
   * enough, or a new one of the expected size (so that it fits the next such batch when it is
   * given back; an exact-size copy would not). `undefined` otherwise: the bytes are then an
   * exact-size array of their own, which an adapter that takes parts stores without copying.
   */
  private outArray(job: EncodeJob): ArrayBuffer | undefined {
    if (!this.recycling) return undefined;
    const want = expectedBytes(job.data);
    return spareBuffers.take(want) ?? new ArrayBuffer(want);
  }

  /**
   * Starts every worker now and has each encode a sample batch, so a run's first real batches
   * meet threads that are up and running compiled code, instead of paying the thread start and
   * cold code (first 10k-point batches took 20-45 ms instead of ~9). Resolves when every worker
   * has encoded its sample (at once when there are no workers). The warm-up never keeps a
   * process alive, and a worker that fails during it makes the pool encode inline as usual.
   */
  warm(): Promise<void> {
    if (!this.warming) {
      const replies: Promise<unknown>[] = [];
      while (!this.broken && this.workers.length < this.size && this.add()) {
        const slot = this.workers[this.workers.length - 1] as { w: EncoderWorker; busy: number };
        const id = this.nextId++;
        replies.push(new Promise((resolve) => this.pending.set(id, { job: undefined, resolve })));
        slot.w.post({ id, job: warmUpJob() }, []);
      }
      this.warming = Promise.all(replies).then(() => undefined);
    }
    return this.warming;
  }

  /** Batches whose bytes came back from a worker (not encoded inline). */
  get offloaded(): number {
    return this.encodedOnWorkers;
  }

  /** Stops every worker; pending jobs finish inline. */
  close(): void {
    this.fail();
  }

  /** Starts one more worker; false when the runtime refused (no worker at all: encode inline). */
  private add(): boolean {
    try {
      const w = this.spawn();
      w.listen(
        (reply) => this.settle(reply),
        () => this.fail(),
      );
      this.workers.push({ w, busy: 0 });
      return true;
    } catch {
      if (this.workers.length === 0) this.broken = true;
      return false;
    }
  }

  private pick(): { w: EncoderWorker; busy: number } | undefined {
    if (this.workers.length < this.size && this.add()) return this.workers[this.workers.length - 1];
    if (this.broken) return undefined;
    let best = this.workers[0];
    for (const s of this.workers) if (best === undefined || s.busy < best.busy) best = s;
    return best;
  }

  private settle(reply: EncoderReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (!p.job) p.resolve(new Uint8Array(0)); // a warm-up sample: its bytes are not needed
    else if ("bytes" in reply) {
      for (const b of reply.spare ?? []) spareBuffers.give(b); // copied into by later jobs
      this.encodedOnWorkers++;
      p.resolve(reply.bytes);
    } else p.resolve(encodeBatchBytes(p.job));
  }

  /** A worker died or could not start: finish everything inline and stop offloading. */
  private fail(): void {
    this.broken = true;
    for (const { w } of this.workers.splice(0)) w.terminate();
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.resolve(p.job ? encodeBatchBytes(p.job) : new Uint8Array(0));
  }
}

/** Rows in the warm-up batch: enough loop iterations for the JIT to optimise the encoder. */
const WARM_UP_ROWS = 4096;

/** A sample metric batch shaped like a training loop's (a double, a 3-decimal value, an integer). */
function warmUpJob(): EncodeJob {
  const n = WARM_UP_ROWS;
  const cols = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    (cols[0] as Float64Array)[i] = Math.exp(-i / n) + Math.sin(i) / 100;
    (cols[1] as Float64Array)[i] = Math.round(1000 * (i / n)) / 1000;
    (cols[2] as Float64Array)[i] = i;
    ts[i] = 1.7e9 + Math.round(i * 13.7) / 1e6;
  }
  return { data: { kind: "metric", blocks: [{ kind: "cols", keys: ["loss", "acc", "step"], cols, ts, length: n }] }, first: 0, createdAt: "2026-01-01T00:00:00.000000Z" };
}

/** Handles one request inside a worker. */
export function handleEncoderRequest(req: EncoderRequest): { reply: EncoderReply; transfer: ArrayBuffer[] } {
  try {
    const bytes = encodeBatchBytes(req.job, req.out && new Uint8Array(req.out));
    // The column copies go back with the bytes: the pool copies later batches into them, and
    // this thread holds no dead buffer until its next GC.
    const spare = jobBuffers(req.job);
    return { reply: { id: req.id, bytes, spare }, transfer: [bytes.buffer as ArrayBuffer, ...spare] };
  } catch (err) {
    return { reply: { id: req.id, error: err instanceof Error ? err.message : String(err) }, transfer: [] };
  }
}

const pools = new WeakMap<object, EncoderPool>();

/**
 * The process-wide pool of a runtime (one per runtime hooks object), created on first use;
 * `undefined` when the runtime cannot start workers. `spawn` is the runtime's `spawnEncoder`,
 * or what its `loadEncoder` loaded.
 */
export function encoderPoolFor(runtime: { spawnEncoder?(): EncoderWorker }, spawn = runtime.spawnEncoder?.bind(runtime)): EncoderPool | undefined {
  if (!spawn) return undefined;
  let pool = pools.get(runtime);
  if (!pool) {
    const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 2;
    // One core stays with the training loop, which also encodes under pressure: more encoder
    // threads than that only contend for the cores, and each costs tens of MB of heap.
    pool = new EncoderPool(spawn, Math.max(1, Math.min(4, cores - 1)));
    pools.set(runtime, pool);
  }
  return pool;
}
