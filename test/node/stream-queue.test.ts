// The metric queue's column blocks across seals (and, at the end, the track queue's merging): a loop that logs the same keys keeps writing
// into blocks sized for what it logged last cycle (no regrowth from 16 rows after every seal),
// and a slow cycle after a burst gets small blocks again (sealed batches must not hold blocks
// sized for the burst).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { growColumnBlock, MAX_BLOCK_ROWS, type ColumnBlock } from "../../src/model/metric-block.ts";
import { streamId } from "../../src/model/stream-id.ts";
import { MetricQueue, TrackQueue } from "../../src/write/stream-queue.ts";

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

/**
 * The track queue against the rule it keeps, written the simplest way: entries merge by
 * timestamp while they wait (later keys win), drops take the oldest first arrivals, and each
 * seal is sorted by timestamp. Timestamps come from a small set so that in-order runs,
 * repeats and late arrivals mix in every order (the queue skips its index while they rise).
 */
describe("track queue", () => {
  type Op = { kind: "add"; ts: number; key: string; value: number } | { kind: "drop"; count: number } | { kind: "seal"; max: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant("add" as const), ts: fc.integer({ min: 0, max: 12 }), key: fc.constantFrom("x", "y", "z"), value: fc.integer() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), count: fc.integer({ min: 0, max: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("seal" as const), max: fc.integer({ min: 1, max: 5 }) }) },
  );

  test("property: merges, drops and sorted seals match a Map in arrival order", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const q = new TrackQueue(streamId("track", "t"), undefined);
        let model = new Map<number, Record<string, number>>();
        const sealed: { timestamp: number; data: Record<string, number> }[][] = [];
        for (const o of ops) {
          if (o.kind === "add") {
            const isNew = q.add(o.ts, { [o.key]: o.value }, 10);
            expect(isNew).toBe(!model.has(o.ts));
            model.set(o.ts, { ...model.get(o.ts), [o.key]: o.value });
          } else if (o.kind === "drop") {
            const n = Math.min(o.count, model.size);
            expect(q.dropOldest(o.count).count).toBe(n);
            model = new Map([...model].slice(n));
          } else {
            q.seal(o.max, 0);
            const all = [...model].sort((a, b) => a[0] - b[0]).map(([timestamp, data]) => ({ timestamp, data }));
            for (let i = 0; i < all.length; i += o.max) sealed.push(all.slice(i, i + o.max));
            model = new Map();
          }
          expect(q.pendingCount).toBe(model.size);
        }
        expect(q.sealed.map((b) => (b.data.kind === "track" ? b.data.records.map((r) => ({ timestamp: r.timestamp, data: { ...r.data } })) : []))).toEqual(sealed);
      }),
      { numRuns: 2000 },
    );
  });
});
