/**
 * Giving the column buffers of stored metric batches back for the blocks of later points (see
 * src/internal/spare-buffers.ts).
 */
import { spareBuffers } from "../internal/spare-buffers.ts";
import type { Batch } from "../model/batch.ts";

/**
 * Gives back the column buffers of `done`, batches that nothing reads again (stored by the
 * primary with no secondary to send them to; encoder jobs copy the columns when they start),
 * except those the `next` batch still views (a block split between two batches).
 */
export function releaseColumns(done: readonly Batch[], next: Batch | undefined): void {
  const inUse = new Set<ArrayBufferLike>();
  forEachColumn(next, (c) => inUse.add(c.buffer));
  for (const b of done) forEachColumn(b, (c) => inUse.has(c.buffer) || spareBuffers.give(c.buffer));
}

/** Calls `fn` with every column array (times included) of a metric batch's column blocks. */
function forEachColumn(batch: Batch | undefined, fn: (c: Float64Array) => void): void {
  if (batch?.data.kind !== "metric") return;
  for (const b of batch.data.blocks) {
    if (b.kind !== "cols") continue;
    for (const c of b.cols) fn(c);
    fn(b.ts);
  }
}
