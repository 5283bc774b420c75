/**
 * The aggregation names of `buffer.logSummary()`, checked at the call. Their formulas are in
 * summary-math.ts, which loads with the write path (buffered values need a started run).
 */
import { ValidationError } from "../errors.ts";

/** Every aggregation name ML-Dash knows. */
export const AGGREGATIONS = ["mean", "std", "min", "max", "count", "median", "sum", "p50", "p90", "p95", "p99", "first", "last"] as const;

/** One aggregation name. */
export type Aggregation = (typeof AGGREGATIONS)[number];

const KNOWN = new Set<string>(AGGREGATIONS);

/** Throws {@link ValidationError} for a name that is not an aggregation. */
export function assertAggregation(name: unknown, where: string): asserts name is Aggregation {
  if (typeof name !== "string" || !KNOWN.has(name)) {
    throw new ValidationError(`${where}: unknown aggregation ${JSON.stringify(name)}; use one of ${AGGREGATIONS.join(", ")}`, {
      field: "aggregation",
    });
  }
}
