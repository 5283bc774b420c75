/**
 * The math of `buffer.logSummary()` and `summaryCache.summarize()`, with ML-Dash Python's exact
 * formulas (its `log_summary`): sample standard deviation (0 below two values), linear-interpolation
 * percentiles, NaN values removed first. Loaded with the write path (run-context.ts): values
 * are buffered only in a started run.
 */
import type { Aggregation } from "../model/aggregation.ts";
import { exactMean, exactStdev } from "./exact-stats.ts";

/** `"<key>.<agg>": value` for every key with at least one non-NaN value, in request order. */
export function summarize(values: Map<string, number[]>, aggs: readonly Aggregation[], out: Record<string, unknown>): void {
  for (const [key, raw] of values) {
    const clean = raw.filter((v) => v === v);
    if (clean.length === 0) continue;
    const cache: { sorted?: number[] } = {};
    for (const agg of aggs) out[`${key}.${agg}`] = aggregate(agg, clean, cache);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  const k = ((sorted.length - 1) * p) / 100;
  const f = Math.floor(k);
  const lo = sorted[f] as number;
  if (f + 1 >= sorted.length) return lo;
  return lo + (k - f) * ((sorted[f + 1] as number) - lo);
}

function finite(values: readonly number[]): boolean {
  for (const v of values) if (v - v !== 0) return false;
  return true;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** Computes `agg` over `values` (NaN already removed, at least one value). */
export function aggregate(agg: Aggregation, values: readonly number[], sortedCache: { sorted?: number[] }): number {
  const n = values.length;
  const sorted = (): number[] => (sortedCache.sorted ??= [...values].sort((a, b) => a - b));
  switch (agg) {
    case "mean":
      return finite(values) ? exactMean(values) : sum(values) / n;
    case "std": {
      if (n < 2) return 0;
      if (finite(values)) return exactStdev(values); // Python's statistics.stdev, bit for bit
      const mean = sum(values) / n;
      let ss = 0;
      for (const v of values) ss += (v - mean) * (v - mean);
      return Math.sqrt(ss / (n - 1));
    }
    case "min":
      return sorted()[0] as number;
    case "max":
      return sorted()[n - 1] as number;
    case "count":
      return n;
    case "sum":
      return sum(values);
    case "median":
    case "p50":
      return percentile(sorted(), 50);
    case "p90":
      return percentile(sorted(), 90);
    case "p95":
      return percentile(sorted(), 95);
    case "p99":
      return percentile(sorted(), 99);
    case "first":
      return values[0] as number;
    case "last":
      return values[n - 1] as number;
  }
}
