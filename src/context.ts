/**
 * The state of one open run (from `run.start()` to the end), and the narrow view of the
 * experiment that the write and read APIs work through.
 */
import type { Reader } from "./backend.ts";
import type { Buffer } from "./buffer/buffer.ts";
import type { LogQueue } from "./buffer/stream-queue.ts";
import { ExperimentNotStartedError, ValidationError } from "./errors.ts";
import { nowSeconds } from "./internal/clock.ts";
import type { PlainValue } from "./internal/values.ts";

/** State of one open run. */
export class RunContext {
  /** Writes are accepted (false while the run is ending and after it ended). */
  writable = true;
  /** Last resolved timestamp, shared by metrics and tracks for `_ts: -1` (seconds). */
  lastTs: number | undefined;
  /** Last automatic track timestamp, kept unique per experiment. */
  lastAutoTrackTs = 0;
  readonly logQueue: LogQueue;

  constructor(
    readonly buffer: Buffer,
    readonly reader: Reader,
    /** Flat params, as stored. */
    public params: Record<string, PlainValue>,
    public paramsVersion: number,
    /** Mirror log lines to the console. */
    readonly echo: boolean,
  ) {
    this.logQueue = buffer.logQueue();
  }
}

/** What the write and read APIs need from their experiment. */
export interface Host {
  /** The open run, or `undefined` before start. */
  readonly _ctx: RunContext | undefined;
  /** The open run; throws {@link ExperimentNotStartedError} naming `where` when writes are not accepted. */
  _writable(where: string): RunContext;
  /** The run's state for reads; throws before the first start. */
  _readable(where: string): RunContext;
  /** Reports a non-fatal problem (onError + a warning). */
  _warn(message: string): void;
}

/** Throws the error for a write outside an open run. */
export function notWritable(where: string, started: boolean): never {
  throw new ExperimentNotStartedError(
    started
      ? `${where} was called after the run ended; start it again with await exp.run.start() to resume it`
      : `${where} was called before the run started; call await exp.run.start() or use exp.run(async (exp) => …) first`,
  );
}

/** An automatic metric timestamp (now, in seconds), remembered for `_ts: -1`. */
export function autoTs(ctx: RunContext): number {
  return (ctx.lastTs = nowSeconds());
}

/**
 * Resolves a metric `_ts`: absent → now, `-1` → the previous timestamp (shared with tracks),
 * a finite number → itself.
 */
export function resolveMetricTs(ctx: RunContext, ts: unknown, where: string): number {
  let t: number;
  if (ts === undefined) t = nowSeconds();
  else if (ts === -1) {
    if (ctx.lastTs === undefined) {
      throw new ValidationError(`${where}: _ts = -1 inherits the previous timestamp, but nothing was logged with a timestamp yet`, {
        field: "_ts",
      });
    }
    t = ctx.lastTs;
  } else if (typeof ts === "number" && Number.isFinite(ts)) t = ts;
  else throw new ValidationError(`${where}: _ts must be a finite number of seconds (or -1 to inherit), got ${describeTs(ts)}`, { field: "_ts" });
  ctx.lastTs = t;
  return t;
}

/**
 * Resolves a track `_ts`: absent → now, made unique per experiment (+1 µs on a tie, as
 * Python does); `-1` → the previous timestamp, or now when there is none; a number → itself.
 */
export function resolveTrackTs(ctx: RunContext, ts: unknown, where: string): number {
  let t: number;
  if (ts === undefined || (ts === -1 && ctx.lastTs === undefined)) {
    t = nowSeconds();
    if (t <= ctx.lastAutoTrackTs) t = ctx.lastAutoTrackTs + 1e-6;
    ctx.lastAutoTrackTs = t;
  } else if (ts === -1) t = ctx.lastTs as number;
  else if (typeof ts === "number" && Number.isFinite(ts)) t = ts;
  else throw new ValidationError(`${where}: timestamp _ts must be a finite number of seconds (or -1 to inherit), got ${describeTs(ts)}`, { field: "_ts" });
  ctx.lastTs = t;
  return t;
}

function describeTs(ts: unknown): string {
  return typeof ts === "number" ? String(ts) : typeof ts === "string" ? JSON.stringify(ts) : typeof ts;
}
