/**
 * The state of one open run and its writers, one per domain: metric points (metric-writes.ts),
 * track entries (track-writes.ts), log lines (log-writes.ts), params (param-writes.ts), with
 * the `_ts` rules they share (timestamps.ts). Loaded with the buffer when a run starts
 * (`Experiment.open`, through ./index.ts), not with the page: every write needs a started run,
 * and the builders (`exp.metrics(…)`, `exp.tracks(…)`, `exp.logs`, `exp.params`) check that
 * synchronously at the call before they hand the data here, so when there is a context, this
 * code is there. Everything stays synchronous.
 */
import type { Reader } from "../model/backend.ts";
import type { Buffer } from "./buffer.ts";
import type { Aggregation } from "../model/aggregation.ts";
import type { PlainObject, PlainValue } from "../model/values.ts";
import { LogWriter } from "./log-writes.ts";
import { logMetricGroups, MetricWriter, type MetricSource } from "./metric-writes.ts";
import { ParamWriter } from "./param-writes.ts";
import { summarize } from "./summary-math.ts";
import { RunClock } from "./timestamps.ts";
import { TrackWriter, type TrackSource } from "./track-writes.ts";
import { trackDirName } from "../layout/paths.ts";
import { topicCollision } from "../layout/track-topic.ts";

// The server reads level names with it (src/server/batches.ts imports it from here).
export { parseLevel } from "./log-writes.ts";

/** State of one open run, and its writers. */
export class RunContext {
  /** Writes are accepted (false while the run is ending and after it ended). */
  writable = true;
  /** Opened for reading only (`exp.run.open()`): nothing is ever written. */
  readOnly = false;
  /** The `_ts` state metrics and tracks share (`_ts: -1`). */
  readonly clock: RunClock = new RunClock();
  /** Log lines: `exp.log()`, `exp.logs.<level>()`. */
  readonly logs: LogWriter;
  /** Params: `exp.params.set()` / `get()`. */
  readonly params: ParamWriter;

  constructor(
    readonly buffer: Buffer,
    readonly reader: Reader,
    /** Flat params, as stored. */
    params: Record<string, PlainValue>,
    paramsVersion: number,
    /** Mirror log lines to the console. */
    echo: boolean,
  ) {
    this.logs = new LogWriter(buffer, echo);
    this.params = new ParamWriter(buffer, params, paramsVersion);
  }

  /** The writer of one metric in this run; its builder keeps it until the run changes. */
  metricWriter(source: MetricSource): MetricWriter {
    return new MetricWriter(this.buffer, this.clock, source);
  }

  /** The topic written into each track folder of this run (`a/b` and `a_b` share one). */
  private readonly trackFolders = new Map<string, string>();

  /**
   * The writer of one track in this run; its builder keeps it until the run changes. Two topics
   * that share a folder (`robot/pos` and `robot_pos`) are refused here, at the second one's first
   * append, before anything of it is queued: ML-Dash Python would mix their entries in one file.
   */
  trackWriter(source: TrackSource): TrackWriter {
    const folder = trackDirName(source.topic);
    const other = this.trackFolders.get(folder);
    if (other !== undefined && other !== source.topic) throw topicCollision(source.topic, other, folder);
    this.trackFolders.set(folder, source.topic);
    return new TrackWriter(this.buffer, this.clock, source);
  }

  /**
   * `exp.metrics.log({ epoch, train: { loss } })`: validates everything before queueing anything,
   * so a bad value leaves no partial write. `log(name, point)` queues one metric's point.
   */
  logMetricGroups(data: unknown, where: string, checkName: (name: string) => void, log: (name: string | null, point: PlainObject) => void): void {
    logMetricGroups(this.clock, data, where, checkName, log);
  }

  /** Adds the `"<key>.<agg>"` values of buffered numbers to `out` (`logSummary`, `summaryCache.summarize`). */
  summarize(values: Map<string, number[]>, aggs: readonly Aggregation[], out: Record<string, unknown>): void {
    summarize(values, aggs, out);
  }
}

