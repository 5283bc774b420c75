/** The start of a run on the relative time axis: shared by the run's charts, its `.dashrc` layout and the compare view. */
import type { RunDetail } from "./api.ts";

/** Start of the run in seconds (relative time axis). */
export function runT0(detail: Pick<RunDetail, "summary">): number | undefined {
  const t = detail.summary.createdAt ? Date.parse(detail.summary.createdAt) : NaN;
  return Number.isFinite(t) ? t / 1000 : undefined;
}
