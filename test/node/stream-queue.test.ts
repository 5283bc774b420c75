// The metric queue's column blocks across seals: a loop that logs the same keys keeps writing
// into blocks sized for what it logged last cycle (no regrowth from 16 rows after every seal),
// and a slow cycle after a burst gets small blocks again (sealed batches must not hold blocks
// sized for the burst).
import { describe, expect, test } from "vitest";
import { growColumnBlock, MAX_BLOCK_ROWS, type ColumnBlock } from "../../src/model/metric-block.ts";
import { streamId } from "../../src/model/stream-id.ts";
import { MetricQueue } from "../../src/write/stream-queue.ts";

const KEYS = ["loss", "step"] as const;

/** Logs rows `from..to-1` the way MetricWriter's hot path does (the first through `add`). */
function logRows(q: MetricQueue, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const b = q.tail;
    if (b && (b.length < b.ts.length || growColumnBlock(b, MAX_BLOCK_ROWS))) {
      (b.cols[0] as Float64Array)[b.length] = 1 / (i + 1);
      (b.cols[1] as Float64Array)[b.length] = i;
      b.ts[b.length] = 1000 + i;
      b.length++;
      q.committed(24);
    } else q.add({ loss: 1 / (i + 1), step: i, _ts: 1000 + i }, KEYS, 24);
  }
}

/** The `step` column of every sealed batch, in order. */
const steps = (q: MetricQueue): number[] =>
  q.sealed.flatMap((batch) =>
    batch.data.kind === "metric" ? batch.data.blocks.flatMap((b) => (b.kind === "cols" ? [...(b.cols[1] as Float64Array).subarray(0, b.length)] : b.rows.map((r) => r["step"] as number))) : [],
  );

describe("metric queue blocks across seals", () => {
  test("the next cycle's block starts at the rows the last one held (a power of two), with the same keys", () => {
    const q = new MetricQueue(streamId("metric", "train"), undefined);
    logRows(q, 0, 1000);
    const keys = (q.tail as ColumnBlock).keys;
    q.seal(10_000, 0);
    logRows(q, 1000, 1001);
    const next = q.tail as ColumnBlock;
    expect(next.ts.length).toBe(1024);
    expect(next.keys).toBe(keys);
    logRows(q, 1001, 2000);
    expect(q.tail).toBe(next); // no regrowth: the same arrays all cycle long
    q.seal(10_000, 1);
    expect(steps(q)).toEqual([...Array(2000).keys()]);
  });

  test("a slow cycle after a burst starts small blocks again; another layout starts at 16 rows", () => {
    const q = new MetricQueue(streamId("metric", "train"), undefined);
    logRows(q, 0, 20_000); // two blocks: 16,384 rows and the rest
    q.seal(10_000, 0);
    logRows(q, 20_000, 20_003);
    expect((q.tail as ColumnBlock).ts.length).toBe(4096); // 3,616 rows in the last block
    q.seal(10_000, 1);
    logRows(q, 20_003, 20_004);
    expect((q.tail as ColumnBlock).ts.length).toBe(16);
    q.seal(10_000, 2);
    q.add({ acc: 0.5, _ts: 5000 }, ["acc"], 16);
    expect((q.tail as ColumnBlock).ts.length).toBe(16);
    expect((q.tail as ColumnBlock).keys).toEqual(["acc"]);
    expect(steps(q)).toEqual([...Array(20_004).keys()]);
  });
});
