// A metric's column buffers are reused once their batches are stored (a fast loop otherwise
// leaves ~32 bytes per point of old-generation garbage), and never while anything may still
// read them: a batch that views part of the same block, or a secondary backend (hybrid mode)
// that sends the batches later.
import { describe, expect, test } from "vitest";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { LocalBackend } from "../../src/backends/local/local-backend.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";
import type { Backend } from "../../src/model/backend.ts";
import type { Batch, StreamId } from "../../src/model/batch.ts";
import { growColumnBlock, MAX_BLOCK_ROWS, type ColumnBlock } from "../../src/model/metric-block.ts";
import { newStats } from "../../src/model/stats.ts";
import { streamId } from "../../src/model/stream-id.ts";
import { Buffer } from "../../src/write/buffer.ts";
import { releaseColumns } from "../../src/write/release-columns.ts";
import { spareBuffers } from "../../src/internal/spare-buffers.ts";
import type { MetricQueue } from "../../src/write/stream-queue.ts";

const STREAM = streamId("metric", "train");
const KEYS = ["loss", "step"] as const;

/** Logs steps `from..to-1` as MetricWriter does (the hot path, else `pushMetric`); returns the buffers of the blocks it wrote into. */
function logSteps(buffer: Buffer, q: MetricQueue, from: number, to: number): Set<ArrayBufferLike> {
  const tails = new Set<ArrayBufferLike>();
  for (let i = from; i < to; i++) {
    const b = q.tail;
    if (b && (b.length < b.ts.length || growColumnBlock(b, MAX_BLOCK_ROWS))) {
      (b.cols[0] as Float64Array)[b.length] = i / 2;
      (b.cols[1] as Float64Array)[b.length] = i;
      b.ts[b.length] = 1000 + i;
      b.length++;
      buffer.committedMetric(q, 24);
    } else buffer.pushMetric(q, { loss: i / 2, step: i, _ts: 1000 + i }, KEYS, 24);
    const tail = q.tail as ColumnBlock;
    for (const c of [...tail.cols, tail.ts]) tails.add(c.buffer);
  }
  return tails;
}

/** Every point of `batches`, as [step, loss, ts] rows. */
function points(batches: readonly Batch[]): number[][] {
  const out: number[][] = [];
  for (const batch of batches) {
    if (batch.data.kind !== "metric") continue;
    for (const b of batch.data.blocks) {
      if (b.kind !== "cols") continue;
      for (let i = 0; i < b.length; i++) out.push([(b.cols[1] as Float64Array)[i] as number, (b.cols[0] as Float64Array)[i] as number, b.ts[i] as number]);
    }
  }
  return out;
}

const expected = (n: number): number[][] => Array.from({ length: n }, (_, i) => [i, i / 2, 1000 + i]);

/** A secondary that keeps the batches it is given and reads them only when asked (as an upload that is behind). */
class HoldingSecondary implements Backend {
  readonly role = "remote" as const;
  readonly held: Batch[] = [];
  open = async () => ({ params: {}, paramsVersion: 0, data: {} });
  cursor = async () => 0;
  write = async (_s: StreamId, batches: readonly Batch[]) => void this.held.push(...batches);
  writeParams = async () => undefined;
  setStatus = async () => undefined;
  close = async () => undefined;
}

function setup(secondaries: Backend[] = []): { buffer: Buffer; q: MetricQueue; storage: ReturnType<typeof memoryAdapter> } {
  const storage = memoryAdapter();
  // maxBatch 3,000: every 16,384-row block is split between several batches.
  const buffer = new Buffer(new LocalBackend(storage, "o/p/r"), secondaries, newStats(), { report: (e) => { throw e; } }, { maxBatch: 3000, flushIntervalMs: 3_600_000 });
  return { buffer, q: buffer.metricQueue(STREAM), storage };
}

describe("column buffer reuse", () => {
  test("a stored cycle's column buffers carry the next cycle's points, and every point is stored as logged", async () => {
    const { buffer, q, storage } = setup();
    const first = logSteps(buffer, q, 0, 40_000);
    await buffer.flush();
    const second = logSteps(buffer, q, 40_000, 80_000);
    expect([...second].some((b) => first.has(b))).toBe(true); // reused
    await buffer.flush();
    const { records } = parseJsonLines<{ index: number; data: { step: number; loss: number; _ts: number } }>((await storage.read("o/p/r/metrics/train/data.jsonl"))!);
    expect(records.map((r) => [r.data.step, r.data.loss, r.data._ts])).toEqual(expected(80_000));
    expect(records.every((r, i) => r.index === i)).toBe(true);
    buffer.close();
  });

  test("with a secondary (hybrid mode) nothing is reused: the batches it holds keep their points", async () => {
    const secondary = new HoldingSecondary();
    const { buffer, q } = setup([secondary]);
    const first = logSteps(buffer, q, 0, 40_000);
    await buffer.flush();
    const second = logSteps(buffer, q, 40_000, 80_000);
    expect([...second].some((b) => first.has(b))).toBe(false);
    await buffer.flush();
    expect(points(secondary.held)).toEqual(expected(80_000));
    buffer.close();
  });

  test("releaseColumns() keeps a buffer the next batch still views, and gives it back with that batch", () => {
    spareBuffers.clear();
    const block: ColumnBlock = { kind: "cols", keys: ["x"], cols: [new Float64Array(100)], ts: new Float64Array(100), length: 100 };
    const part = (from: number, to: number): Batch => ({
      stream: STREAM,
      first: from,
      count: to - from,
      data: { kind: "metric", blocks: [{ kind: "cols", keys: ["x"], cols: [(block.cols[0] as Float64Array).subarray(from, to)], ts: block.ts.subarray(from, to), length: to - from }] },
      sealedMs: 0,
      bytes: 0,
      info: undefined,
    });
    const [a, b] = [part(0, 50), part(50, 100)];
    releaseColumns([a], b);
    expect(spareBuffers.take(1)).toBeUndefined(); // still viewed by b: not given back
    releaseColumns([b], undefined);
    const reused = new Set([spareBuffers.float64(100).buffer, spareBuffers.float64(100).buffer]);
    expect(reused).toEqual(new Set([block.ts.buffer, (block.cols[0] as Float64Array).buffer]));
  });
});
