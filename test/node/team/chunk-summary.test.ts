/**
 * A chunk's summary computed from the column blocks an append has in hand equals the summary of
 * the chunk's lines read exactly (every line parsed): the same fields in the same order, the
 * same extremes, indices and counts, -0 and ±Infinity included. (The seal's byte scanner, for
 * rows cut from several batches, reads 17-digit numbers to within an ulp or two: metric-scan.ts.)
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { encodeBatchBytes } from "../../../src/backends/local/encode-batch.ts";
import type { BatchData } from "../../../src/model/batch.ts";
import { newColumnBlock, type ColumnBlock } from "../../../src/model/metric-block.ts";
import { chunkFacts, columnsOfBlocks, summarize, summarizeColumns } from "../../../src/server/stores/team/chunk-summary.ts";
import { MetricColumns } from "../../../src/server/stores/dash/metric-columns.ts";
import { parsePyJson } from "../../../src/layout/py-json-parse.ts";

/** The columns of metric lines, each line parsed exactly. */
function parsedColumns(lines: Uint8Array): MetricColumns {
  const text = new TextDecoder().decode(lines).trimEnd().split("\n");
  const cols = new MetricColumns();
  cols.reserve(text.length, true);
  text.forEach((line, row) => {
    const { data } = parsePyJson(line) as { data: Record<string, unknown> };
    for (const [k, v] of Object.entries(data)) {
      if (typeof v === "number") cols.setNumber(cols.field(k), row, v);
      else cols.setOther(cols.field(k), row);
    }
  });
  cols.rows = text.length;
  return cols;
}


const value = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e16, 2 ** 53 + 2, 5e-324, 0.1),
  fc.integer({ min: -1000, max: 1000 }),
);
const block = fc
  .record({ keys: fc.uniqueArray(fc.constantFrom("loss", "acc", "step", "lr", "épo ch", 'q"uote'), { minLength: 0, maxLength: 4 }), n: fc.integer({ min: 1, max: 40 }) })
  .chain(({ keys, n }) =>
    fc.record({ keys: fc.constant(keys), vals: fc.array(fc.array(value, { minLength: n, maxLength: n }), { minLength: keys.length, maxLength: keys.length }), ts: fc.array(fc.double({ min: 1e9, max: 2e9, noNaN: true }), { minLength: n, maxLength: n }) }),
  )
  .map(({ keys, vals, ts }): ColumnBlock => {
    const b = newColumnBlock(keys, ts.length);
    keys.forEach((_, j) => (b.cols[j] as Float64Array).set(vals[j] as number[]));
    b.ts.set(ts);
    b.length = ts.length;
    return b;
  });

test("the summary from column blocks equals the summary of their lines", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(block, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 1e6 }), async (blocks, first) => {
      const data: BatchData = { kind: "metric", blocks };
      const lines = encodeBatchBytes({ data, first, createdAt: "2026-12-03T00:00:00.000000Z" });
      const cols = columnsOfBlocks(data);
      expect(cols).toBeDefined();
      const fromBlocks = summarizeColumns(cols!, first);
      expect(fromBlocks).toEqual(summarizeColumns(parsedColumns(lines), first));
      expect(Object.keys(fromBlocks.summary.fields)).toEqual(Object.keys(summarizeColumns(parsedColumns(lines), first).summary.fields));
      // The byte scanner: the same fields in the same order (its numbers may be an ulp off, and so pick another of two near-equal extremes).
      expect(Object.keys(summarize("metric", lines, first).summary.fields)).toEqual(Object.keys(fromBlocks.summary.fields));
      const facts = await chunkFacts("metric", lines, first, data);
      expect(facts).toMatchObject({ ...fromBlocks, sha256: (await chunkFacts("metric", lines, first)).sha256 });
    }),
    { numRuns: 300 },
  );
});

test("blocks of row objects are not columns: their lines are scanned", () => {
  expect(columnsOfBlocks({ kind: "metric", blocks: [{ kind: "rows", rows: [{ loss: "high", _ts: 1 }], length: 1 }] })).toBeUndefined();
});
