/**
 * `.dashrc` key grammar: `train.loss` is field `loss` of metric
 * `train` when `train` is a metric of the run — split at the first dot only, since fields may
 * hold dots (`loss.mean`). Otherwise the whole key is a field of the unnamed metric (`None`).
 */
import type { MetricInfo } from "./api.ts";

/** Metric and field of a y key. */
export function resolveKey(key: string, metrics: readonly Pick<MetricInfo, "name" | "fields">[]): { metric: string; field: string } {
  const dot = key.indexOf(".");
  if (dot > 0) {
    const m = key.slice(0, dot);
    if (metrics.some((x) => x.name === m)) return { metric: m, field: key.slice(dot + 1) };
  }
  const owner = metrics.find((x) => x.fields.includes(key));
  return { metric: owner?.name ?? "None", field: key };
}

/** The server x key for a `.dashrc` `xKey` (none is `auto`; `timestamp` is `_ts`; a `metric.` prefix is dropped). */
export function resolveX(xKey: string | undefined, metric: string): string {
  if (!xKey) return "auto";
  if (xKey === "default") return "default";
  if (xKey === "timestamp" || xKey === "time") return "_ts";
  return xKey.startsWith(metric + ".") ? xKey.slice(metric.length + 1) : xKey;
}

/** Fields that are axes, not charts. */
export const AXIS_FIELDS = new Set(["step", "epoch", "_ts", "timestamp"]);

/** Title of a metric field (`train.loss`; the unnamed metric's fields stand alone). */
export function fieldTitle(metric: string, field: string): string {
  return metric === "None" ? field : `${metric}.${field}`;
}
