/**
 * The `_ts` of metric points and track entries. Both share one "previous timestamp" per run,
 * which `_ts: -1` inherits (as ML-Dash Python does), so the rules live in one place.
 */
import { ValidationError } from "../errors.ts";
import { nowSeconds } from "../internal/clock.ts";

/** The timestamps of one open run: what `_ts: -1` inherits, and the last automatic track time. */
export class RunClock {
  /**
   * Last resolved timestamp, shared by metrics and tracks for `_ts: -1` (seconds); NaN until
   * the first. A number from the start because V8 then updates the field in place: a field that
   * started as `undefined` held each point's timestamp in a new heap number (16 bytes per log).
   */
  private lastTs = NaN;
  /** Last automatic track timestamp, kept unique per experiment. */
  private lastAutoTrackTs = 0;

  /** Now, remembered for `_ts: -1` (a metric point without `_ts`). */
  now(): number {
    return (this.lastTs = nowSeconds());
  }

  /**
   * Resolves a metric `_ts`: absent → now, `-1` → the previous timestamp (shared with tracks),
   * a finite number → itself.
   */
  metricTs(ts: unknown, where: string): number {
    let t: number;
    if (ts === undefined) t = nowSeconds();
    else if (ts === -1) {
      if (Number.isNaN(this.lastTs)) {
        throw new ValidationError(`${where}: _ts = -1 inherits the previous timestamp, but nothing was logged with a timestamp yet`, {
          field: "_ts",
        });
      }
      t = this.lastTs;
    } else if (typeof ts === "number" && Number.isFinite(ts)) t = ts;
    else throw new ValidationError(`${where}: _ts must be a finite number of seconds (or -1 to inherit), got ${describeTs(ts)}`, { field: "_ts" });
    this.lastTs = t;
    return t;
  }

  /**
   * Resolves a track `_ts`: absent → now, made unique per experiment (+1 µs on a tie, as
   * Python does); `-1` → the previous timestamp, or now when there is none; a number → itself.
   */
  trackTs(ts: unknown, where: string): number {
    let t: number;
    if (ts === undefined || (ts === -1 && Number.isNaN(this.lastTs))) {
      t = nowSeconds();
      if (t <= this.lastAutoTrackTs) t = this.lastAutoTrackTs + 1e-6;
      this.lastAutoTrackTs = t;
    } else if (ts === -1) t = this.lastTs;
    else if (typeof ts === "number" && Number.isFinite(ts)) t = ts;
    else throw new ValidationError(`${where}: timestamp _ts must be a finite number of seconds (or -1 to inherit), got ${describeTs(ts)}`, { field: "_ts" });
    this.lastTs = t;
    return t;
  }
}

function describeTs(ts: unknown): string {
  return typeof ts === "number" ? String(ts) : typeof ts === "string" ? JSON.stringify(ts) : typeof ts;
}
