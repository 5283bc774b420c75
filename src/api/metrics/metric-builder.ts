/**
 * `exp.metrics("train")`: log points to one metric, buffer per-batch values, read back.
 */
import type { MetricPage, MetricStats } from "../../model/backend.ts";
import type { Host } from "../host.ts";
import { notWritable, ValidationError } from "../../errors.ts";
import { segmentProblem, shown } from "../../model/names.ts";
import type { RunContext } from "../../write/run-context.ts";
import type { MetricSource, MetricWriter } from "../../write/metric-writes.ts";
import type { StreamInfo } from "../../model/batch.ts";
import type { Aggregation } from "../../model/aggregation.ts";
import { collectNumbers, parseSummaryArgs, peekValues, type BufferValues } from "./summary.ts";

/** A data point: any keys with storable values, plus an optional `_ts` (seconds, or -1 to inherit). */
export type MetricData = Record<string, unknown> & { _ts?: number };

/** Options of `exp.metrics(name, options)`; fixed by the first call for a name. */
export interface MetricOptions {
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly metadata?: Record<string, unknown>;
}

/** Options of {@link MetricBuilder.read}. */
export interface MetricReadOptions {
  /** First index to return. Default 0. */
  readonly startIndex?: number;
  /** Most points to return. Default 1000. */
  readonly limit?: number;
}

/** The legacy per-metric summary cache of ML-Dash Python (`summary_cache`). */
export class SummaryCache {
  private values = new Map<string, number[]>();
  private meta: Record<string, unknown> = {};

  constructor(private readonly metric: MetricBuilder) {}

  /** Accumulates numbers (null counts as NaN). */
  store(values: BufferValues): this {
    collectNumbers(this.values, values, "summaryCache.store()");
    return this;
  }

  /** Sets context fields written with the next summary (replacing earlier ones). */
  set(values: Record<string, unknown>): this {
    Object.assign(this.meta, values);
    return this;
  }

  /** Logs `{...fields, k.mean, k.min, k.max, k.count, k.std}` as one point; clears unless `clear` is false. */
  summarize(clear = true): this {
    if (this.values.size === 0 && Object.keys(this.meta).length === 0) return this;
    const out: Record<string, unknown> = { ...this.meta };
    this.metric._summarize(this.values, ["mean", "min", "max", "count", "std"], out);
    this.metric.log(out);
    if (clear) {
      this.values = new Map();
      this.meta = {};
    }
    return this;
  }

  /** The last `limit` stored values per key. */
  peek(keys: readonly string[] = [], limit = 5): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [k, arr] of this.values) if (keys.length === 0 || keys.includes(k)) out[k] = arr.slice(-limit);
    return out;
  }
}

/** One metric of an experiment. Obtain it as `exp.metrics("train")` (cached by name). */
export class MetricBuilder implements MetricSource {
  /** This metric's writer in the run `writerCtx` (a new run gets a new one). */
  private writer: MetricWriter | undefined;
  private writerCtx: RunContext | undefined;
  private cache: SummaryCache | undefined;
  /** `where()`'s text, made once: writers pass it with every point that gives `_ts` (~120 bytes of strings per call). */
  private logWhere: string | undefined;

  constructor(
    private readonly host: Host,
    /** The metric name; `null` is the unnamed metric (stored as `None`). */
    readonly name: string | null,
    /** @internal Its description, tags and metadata (from the first `exp.metrics(name, options)`). */
    readonly info: StreamInfo | undefined,
    /** Where `buffer()` values go: the experiment's shared summary buffer. */
    private readonly summaryValues: (name: string | null) => Map<string, number[]>,
  ) {}

  /**
   * Logs one data point. `_ts` is taken now when absent; `-1` reuses the previous timestamp.
   * Synchronous and allocation-light: the point is queued and written by the next flush.
   *
   * @example exp.metrics("train").log({ loss: 0.5, step: 1 });
   */
  log(data: MetricData): this {
    const ctx = this.host._ctx;
    if (ctx === undefined || !ctx.writable) notWritable(this.where(), ctx !== undefined, ctx?.readOnly);
    let w = this.writer;
    if (this.writerCtx !== ctx || w === undefined) {
      w = this.writer = ctx.metricWriter(this);
      this.writerCtx = ctx;
    }
    w.log(data);
    return this;
  }

  /** Collects per-batch numbers for `exp.metrics.buffer.logSummary()`; `null` counts as NaN. */
  buffer(values: BufferValues): this {
    this.host._writable(`${this.where("buffer")}`);
    collectNumbers(this.summaryValues(this.name), values, this.where("buffer"));
    return this;
  }

  /** Flushes the experiment's buffer; resolves when this metric's points are stored. */
  flush(): Promise<void> {
    const p = this.host._readable(this.where("flush")).buffer.flush();
    p.catch(() => undefined); // awaiting is optional; errors were reported
    return p;
  }

  /** Reads stored points (flushes first): `{ data: [{ index, data, createdAt }], startIndex, endIndex, total, hasMore }`. */
  async read(options: MetricReadOptions = {}): Promise<MetricPage> {
    const ctx = this.host._readable(this.where("read"));
    const startIndex = options.startIndex ?? 0;
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(startIndex) || startIndex < 0) throw new ValidationError(`${this.where("read")}: startIndex must be an integer ≥ 0`, { field: "startIndex" });
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(`${this.where("read")}: limit must be an integer ≥ 1`, { field: "limit" });
    await ctx.buffer.flush();
    return ctx.reader.readMetric(this.name, startIndex, limit);
  }

  /** Metric statistics (flushes first); throws NotFoundError for a metric never logged. */
  async stats(): Promise<MetricStats> {
    const ctx = this.host._readable(this.where("stats"));
    await ctx.buffer.flush();
    return ctx.reader.metricStats(this.name);
  }

  /** The legacy per-metric summary cache (`store`, `set`, `summarize`, `peek`). */
  get summaryCache(): SummaryCache {
    return (this.cache ??= new SummaryCache(this));
  }

  /**
   * @internal Adds the `"<key>.<agg>"` values of buffered numbers to `out`. The math loads with
   * the write path: values are buffered in a started run (`buffer()` checks it). Before the
   * first start this throws as `log()` would.
   */
  _summarize(values: Map<string, number[]>, aggs: readonly Aggregation[], out: Record<string, unknown>): void {
    const ctx = this.host._ctx;
    if (ctx === undefined) notWritable(this.where(), false);
    ctx.summarize(values, aggs, out);
  }

  /** @internal `metrics("train").log()`, for messages. */
  where(method = "log"): string {
    if (method === "log") return (this.logWhere ??= `metrics(${JSON.stringify(this.name)}).log()`);
    return `metrics(${JSON.stringify(this.name)}).${method}()`;
  }
}

/** `exp.metrics.buffer`: the summary buffer shared by every metric of the experiment. */
export class SummaryBuffer {
  readonly values: Map<string | null, Map<string, number[]>> = new Map();

  constructor(private readonly metric: (name: string | null) => MetricBuilder) {}

  /** The per-key arrays of one metric. */
  of(name: string | null): Map<string, number[]> {
    let m = this.values.get(name);
    if (!m) this.values.set(name, (m = new Map()));
    return m;
  }

  /**
   * Logs `"<key>.<agg>"` for every buffered key to its metric (plus any extra fields given as a
   * trailing object), then clears every buffer. Default aggregation: mean.
   *
   * @example exp.metrics.buffer.logSummary("mean", "std", "p95", { step: 10 });
   */
  logSummary(...args: unknown[]): void {
    const { aggs, extra } = parseSummaryArgs(args, "metrics.buffer.logSummary()");
    const pending = [...this.values];
    this.values.clear();
    for (const [name, values] of pending) {
      const out: Record<string, unknown> = { ...extra };
      const metric = this.metric(name);
      if (values.size > 0) metric._summarize(values, aggs, out);
      if (Object.keys(out).length > 0) metric.log(out);
    }
  }

  /** The last `limit` buffered values per `"<metric or (default)>/<key>"`, without clearing. */
  peek(options: { prefix?: string | null; keys?: readonly string[]; limit?: number } = {}): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, values] of this.values) {
      if (options.prefix !== undefined && options.prefix !== name) continue;
      peekValues(values, name ?? "(default)", options.keys ?? [], options.limit ?? 5, out);
    }
    return out;
  }
}

/** Validates a metric name: `null`/`undefined` for the unnamed metric, else a plain folder name. */
export function checkMetricName(name: unknown): string | null {
  if (name === undefined || name === null || name === "None") return null;
  if (typeof name !== "string" || name.includes("/")) {
    throw new ValidationError(`Invalid metric name ${shown(name)}: use a non-empty name without "/", "\\" or control characters (e.g. "train" or "train.loss")`, { field: "name" });
  }
  const problem = segmentProblem(name);
  if (problem) throw new ValidationError(`Invalid metric name ${shown(name)}: it ${problem}; use a name like "train" or "train.loss"`, { field: "name" });
  return name;
}
