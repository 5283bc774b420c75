/**
 * `exp.metrics`: a callable accessor. `exp.metrics("train")` returns the metric's builder;
 * `exp.metrics.log({ epoch, train: { loss }, eval: { loss } })` is the grouping form;
 * `exp.metrics.buffer` is the summary buffer.
 */
import type { MetricSummary } from "../../model/backend.ts";
import type { Host } from "../host.ts";
import { ValidationError } from "../../errors.ts";
import { isPlainObject, normalizeValue, type PlainObject } from "../../model/values.ts";
import { checkMetricName, MetricBuilder, SummaryBuffer, type MetricData, type MetricOptions } from "./metric-builder.ts";

/** The `exp.metrics` accessor. */
export interface Metrics {
  /** The builder of one metric; no name (or `null`) is the unnamed metric. Options count on first use. */
  (name?: string | null, options?: MetricOptions): MetricBuilder;
  /**
   * The grouping form, as in ML-Dash Python: plain-object values are metrics of that name and
   * get every scalar value copied in; the scalars alone go to the unnamed metric. All of them
   * share one `_ts`.
   *
   * @example exp.metrics.log({ epoch: 3, train: { loss: 0.2 }, eval: { loss: 0.3 } });
   */
  log(data: MetricData): Metrics;
  /** Per-batch values → summary points (`logSummary`, `peek`). */
  readonly buffer: SummaryBuffer;
  /** Every stored metric of the run (flushes first). */
  list(): Promise<MetricSummary[]>;
  /** Flushes the experiment's buffer; awaiting is optional. */
  flush(): Promise<void>;
}

/** Builds the `exp.metrics` accessor of an experiment. */
export function createMetrics(host: Host): Metrics {
  const builders = new Map<string | null, MetricBuilder>();
  let summary: SummaryBuffer;
  const metric = (name?: string | null, options?: MetricOptions): MetricBuilder => {
    const n = checkMetricName(name);
    let b = builders.get(n);
    if (!b) {
      const info = options ? metricInfo(options) : undefined;
      b = new MetricBuilder(host, n, info, (x) => summary.of(x));
      builders.set(n, b);
    }
    return b;
  };
  summary = new SummaryBuffer((name) => metric(name));
  const accessor = metric as Metrics;
  Object.defineProperty(accessor, "buffer", { value: summary, enumerable: true });
  accessor.log = (data: MetricData): Metrics => {
    host._writable("metrics.log()").logMetricGroups(data, "metrics.log()", checkMetricName, (name, point) => metric(name).log(point));
    return accessor;
  };
  accessor.list = async (): Promise<MetricSummary[]> => {
    const ctx = host._readable("metrics.list()");
    await ctx.buffer.flush();
    return ctx.reader.listMetrics();
  };
  accessor.flush = (): Promise<void> => {
    const p = host._readable("metrics.flush()").buffer.flush();
    p.catch(() => undefined);
    return p;
  };
  return accessor;
}

function metricInfo(options: MetricOptions): { description?: string; tags?: readonly string[]; metadata?: PlainObject } {
  const where = "metrics(name, options)";
  if (!isPlainObject(options)) throw new ValidationError(`${where}: options must be a plain object`, { field: "options" });
  const out: { description?: string; tags?: readonly string[]; metadata?: PlainObject } = {};
  if (options.description !== undefined) {
    if (typeof options.description !== "string") throw new ValidationError(`${where}: description must be a string`, { field: "description" });
    out.description = options.description;
  }
  if (options.tags !== undefined) {
    if (!Array.isArray(options.tags) || options.tags.some((t) => typeof t !== "string")) {
      throw new ValidationError(`${where}: tags must be an array of strings`, { field: "tags" });
    }
    out.tags = [...options.tags];
  }
  if (options.metadata !== undefined) out.metadata = normalizeValue(options.metadata, "metadata", where) as PlainObject;
  return out;
}
