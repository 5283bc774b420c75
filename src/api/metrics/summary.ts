/**
 * Per-batch values turned into summary points: `metrics(name).buffer({ loss })` collects
 * numbers, `metrics.buffer.logSummary("mean", "std", "p95")` logs `loss.mean`, `loss.std`, …
 * to every buffered metric and clears the buffers (Python's `metrics.buffer.log_summary`). Also the legacy per-metric
 * `summaryCache` (Python's `summary_cache`).
 */
import { ValidationError } from "../../errors.ts";
import { isPlainObject } from "../../model/values.ts";
import { assertAggregation, type Aggregation } from "../../model/aggregation.ts";

/** Numbers to buffer; `null` counts as NaN (and is ignored by the aggregations). */
export type BufferValues = Record<string, number | null | undefined>;

/** Appends numeric values to per-key arrays; throws {@link ValidationError} for anything else. */
export function collectNumbers(into: Map<string, number[]>, values: BufferValues, where: string): void {
  if (!isPlainObject(values)) throw new ValidationError(`${where} takes a plain object of numbers, like { loss: 0.5 }`, { field: "values" });
  for (const k in values) {
    const v = values[k];
    if (v === undefined) continue;
    if (v !== null && typeof v !== "number") {
      throw new ValidationError(`${where}: cannot buffer the non-numeric value at "${k}" (${typeof v}); only numbers and null can be buffered`, {
        field: k,
      });
    }
    let arr = into.get(k);
    if (!arr) into.set(k, (arr = []));
    arr.push(v === null ? NaN : v);
  }
}

/** Splits `logSummary(...)` arguments into aggregation names and an optional trailing extra object. */
export function parseSummaryArgs(args: readonly unknown[], where: string): { aggs: Aggregation[]; extra: Record<string, unknown> } {
  let extra: Record<string, unknown> = {};
  const names = [...args];
  const last = names[names.length - 1];
  if (last !== undefined && typeof last === "object") {
    if (!isPlainObject(last)) throw new ValidationError(`${where}: the last argument may be a plain object of extra fields`, { field: "extra" });
    extra = last;
    names.pop();
  }
  const aggs: Aggregation[] = [];
  for (const n of names) {
    assertAggregation(n, where);
    aggs.push(n);
  }
  if (aggs.length === 0) aggs.push("mean");
  return { aggs, extra };
}

/** Returns the last `limit` values of each key, keyed `"<prefix>/<key>"`. */
export function peekValues(values: Map<string, number[]>, prefix: string, keys: readonly string[], limit: number, out: Record<string, number[]>): void {
  for (const [k, arr] of values) {
    if (keys.length > 0 && !keys.includes(k)) continue;
    out[`${prefix}/${k}`] = arr.slice(-limit);
  }
}
