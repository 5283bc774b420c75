/**
 * What the buffer does when it holds `maxQueueBytes` (`BufferOptions.onFull`), and the small
 * helpers of its write cycle.
 */
import { MlDashError, StorageError } from "../errors.ts";
import { nowMs } from "../internal/clock.ts";
import type { Backend } from "../model/backend.ts";
import type { Batch } from "../model/batch.ts";
import type { AnyQueue } from "./stream-queue.ts";

/**
 * `onFull: "block"`: a write makes room once half of `maxQueueBytes` waits (the raw records,
 * the batches being encoded and the encoded bytes in flight then stay well inside the bound),
 * storing what waits down to three eighths of it: a few MiB at a time, so each pause of the
 * producer and the garbage it leaves are small.
 */
export const HIGH_WATER = 1 / 2;
export const RELIEVE_TO = 3 / 8;

/** What {@link storeInline} needs from the buffer. */
export interface InlineStore {
  readonly maxBatch: number;
  /** Queued bytes at which to stop. */
  readonly target: number;
  queuedBytes(): number;
  /** `batches` (a prefix of `q.sealed`) are now held by the primary. */
  stored(q: AnyQueue, batches: readonly Batch[]): void;
  report(err: unknown): void;
}

/**
 * Backpressure (`onFull: "block"`, the default): the producer, inside its write call, pays for
 * storing what waits. The given streams (the current one first) are sealed and handed to the
 * primary's `writeSync`, which encodes and appends them before returning (node-fs, deno-fs,
 * memory), until the queued bytes are down to `target`. A loop that logs faster than storage
 * writes thus slows to storage's pace, whether it yields or not, and memory stays under the
 * bound: what is in flight is encoded bytes of one batch at a time.
 *
 * Where the primary cannot store synchronously (IndexedDB and OPFS have no synchronous append,
 * a server answers asynchronously, other processes may share the folder), nothing is dropped
 * either: the sealed batches go to the primary's `prepare`, which under pressure encodes them
 * on this thread too (the producer still pays the CPU cost, which slows it), and the write
 * cycle stores them at the producer's next yield to the event loop (a browser has no way to
 * block a synchronous call on asynchronous storage). Memory then passes the bound only while a
 * producer does not yield; `exp.flush()` waits for all of it.
 */
export function storeInline(primary: Backend, queues: Iterable<AnyQueue>, ctx: InlineStore): void {
  const seen = new Set<AnyQueue>();
  for (const q of queues) {
    if (ctx.queuedBytes() <= ctx.target) break;
    if (seen.has(q) || q.cursor === undefined) continue; // numbering not known yet: the cycle loads it
    seen.add(q);
    const before = q.sealed.length;
    q.seal(ctx.maxBatch, nowMs());
    const sealed = q.sealed.length;
    if (sealed === 0) continue;
    if (primary.writeSync) {
      // Only as many batches as bring the queue down to `target`: a few MiB at a time keeps
      // the encoded bytes (garbage once appended) and each pause of the producer small.
      let want = 0;
      for (let over = ctx.queuedBytes() - ctx.target; want < sealed && over > 0; want++) over -= (q.sealed[want] as Batch).bytes;
      let held = 0;
      try {
        held = primary.writeSync(q.id, q.sealed.slice(0, want));
      } catch (err) {
        ctx.report(err); // kept, and retried by the write cycle
      }
      if (held > 0) ctx.stored(q, q.sealed.slice(0, held));
      if (held === want) continue;
    }
    if (sealed > before) primary.prepare?.(q.id, q.sealed.slice(Math.max(0, before - (sealed - q.sealed.length))));
  }
}

/**
 * `onFull: "drop"`: drops a tenth of the current stream's waiting records at once (amortised
 * O(1) per record), or more to get back under 90 % of the bound. Returns what was dropped.
 */
export function dropForRoom(current: AnyQueue, queuedBytes: number, maxQueueBytes: number): { count: number; bytes: number } {
  const excess = queuedBytes - maxQueueBytes * 0.9;
  const waiting = current.pendingCount;
  const perRecord = waiting > 0 ? current.pendingBytes / waiting : 1;
  return current.dropOldest(Math.max(Math.ceil(waiting / 10), Math.ceil(excess / Math.max(perRecord, 1))));
}

/** Runs `fn` over `items`, at most `width` at a time. */
export async function runPool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  const worker = async (): Promise<void> => {
    while (i < items.length) await fn(items[i++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** A background failure as the SDK's error. */
export function toMlDashError(err: unknown): MlDashError {
  if (err instanceof MlDashError) return err;
  return new StorageError(`Background write failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
