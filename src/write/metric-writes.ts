/**
 * Metric points: `exp.metrics(name).log(point)` and the grouping form `exp.metrics.log({...})`.
 * Validated here, synchronously, then queued; a point with the same numeric keys as the previous
 * one goes straight into the queue's column block (the hot path, a few array writes).
 */
import type { Buffer } from "./buffer.ts";
import type { MetricQueue } from "./stream-queue.ts";
import type { RunClock } from "./timestamps.ts";
import { estimateBytes } from "./estimate-bytes.ts";
import { ValidationError } from "../errors.ts";
import { growColumnBlock, MAX_BLOCK_ROWS } from "../model/metric-block.ts";
import { spareBuffers } from "../internal/spare-buffers.ts";
import { checkKey, isPlainObject, normalizeValue, type PlainObject } from "../model/values.ts";
import { streamId, type StreamInfo } from "../model/batch.ts";

/** A metric as its writer sees it (`exp.metrics(name)`): read, never written. */
export interface MetricSource {
  /** The metric name; `null` is the unnamed metric. */
  readonly name: string | null;
  readonly info: StreamInfo | undefined;
  /** `metrics("train").log()`, for messages (built only when one is needed). */
  where(method?: string): string;
}

/**
 * The writer of one metric in one run: `RunContext.metricWriter` makes it, the metric's builder
 * keeps it for the run. Its queue is fixed for the run (a new run gets a new writer).
 */
export class MetricWriter {
  private queue: MetricQueue | undefined;

  constructor(
    private readonly buffer: Buffer,
    private readonly clock: RunClock,
    private readonly source: MetricSource,
  ) {}

  /** Queues one metric point (the caller checked the run is writable). */
  log(data: Record<string, unknown>): void {
    if (!isPlainObject(data)) {
      throw new ValidationError(`${this.source.where()} takes a plain object like { loss: 0.5, step: 1 }`, { field: "data" });
    }
    // Made at the first point, after its shape was checked (as it always was).
    const q = this.queue ?? (this.queue = this.buffer.metricQueue(streamId("metric", this.source.name), this.source.info));
    // Hot path: same numeric key layout as the previous point → write straight into the columns.
    // Nothing is committed until `length` advances, so bailing out half-way is harmless.
    const b = q.tail;
    if (b !== undefined) {
      const n = b.length;
      if (n < b.ts.length || growColumnBlock(b, MAX_BLOCK_ROWS, spareBuffers.float64)) {
        const keys = b.keys;
        const cols = b.cols;
        let j = 0;
        let ts: unknown;
        let ok = true;
        for (const k in data) {
          const v = data[k];
          if (k === "_ts") ts = v;
          else if (typeof v === "number" && keys[j] === k) (cols[j++] as Float64Array)[n] = v;
          else {
            ok = false;
            break;
          }
        }
        if (ok && j === keys.length) {
          b.ts[n] = ts === undefined ? this.clock.now() : this.clock.metricTs(ts, this.source.where());
          b.length = n + 1;
          this.buffer.committedMetric(q, 8 + 8 * j);
          return;
        }
      }
    }
    this.logSlow(q, data);
  }

  private logSlow(q: MetricQueue, data: Record<string, unknown>): void {
    const point: PlainObject = {};
    let bytes = 48;
    let ts: unknown;
    let numeric = true;
    const keys: string[] = [];
    for (const k in data) {
      const v = data[k];
      checkKey(k, k, this.source.where());
      if (k === "_ts") ts = v;
      else if (typeof v === "number") {
        point[k] = v;
        keys.push(k);
        bytes += 24;
      } else if (v !== undefined) {
        const n = normalizeValue(v, k, this.source.where());
        point[k] = n;
        numeric = false;
        bytes += 16 + estimateBytes(n);
      }
    }
    point["_ts"] = ts === undefined ? this.clock.now() : this.clock.metricTs(ts, this.source.where());
    this.buffer.pushMetric(q, point, numeric ? keys : undefined, numeric ? 8 + 8 * keys.length : bytes);
  }
}

/**
 * `exp.metrics.log({ epoch, train: { loss } })`: validates everything before queueing anything,
 * so a bad value leaves no partial write. `log(name, point)` queues one metric's point.
 */
export function logMetricGroups(
  clock: RunClock,
  data: unknown,
  where: string,
  checkName: (name: string) => void,
  log: (name: string | null, point: PlainObject) => void,
): void {
  if (!isPlainObject(data)) throw new ValidationError(`${where} takes a plain object like { epoch: 1, train: { loss } }`, { field: "data" });
  const scalars: PlainObject = {};
  const groups: [string, PlainObject][] = [];
  for (const k in data) {
    checkKey(k, k, where);
    if (k === "_ts") continue;
    const v = data[k];
    if (isPlainObject(v)) {
      checkName(k);
      groups.push([k, normalizeValue(v, k, where) as PlainObject]);
    } else if (v !== undefined) scalars[k] = normalizeValue(v, k, where);
  }
  const ts = clock.metricTs(data["_ts"], where);
  if (Object.keys(scalars).length > 0) log(null, { ...scalars, _ts: ts });
  for (const [k, v] of groups) log(k, { ...scalars, ...v, _ts: ts });
}
