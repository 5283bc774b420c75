/**
 * Giving the column buffers of stored metric batches back for the blocks of later points (see
 * src/internal/spare-buffers.ts).
 */
import { spareBuffers } from "../internal/spare-buffers.ts";
import type { Batch } from "../model/batch.ts";
import { forEachColumn } from "../model/metric-block.ts";

/**
 * Gives back the column buffers of `done`, batches that nothing reads again (stored by the
 * primary with no secondary to send them to; encoder jobs copy the columns when they start),
 * except those the `next` batch still views (a block split between two batches).
 */
export function releaseColumns(done: readonly Batch[], next: Batch | undefined): void {
  const inUse = new Set<ArrayBufferLike>();
  if (next?.data.kind === "metric") forEachColumn(next.data.blocks, (c) => inUse.add(c.buffer));
  for (const b of done) if (b.data.kind === "metric") forEachColumn(b.data.blocks, (c) => inUse.has(c.buffer) || spareBuffers.give(c.buffer));
}
