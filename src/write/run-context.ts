/**
 * The state of one open run and the write operations on it: metric points, track entries, log
 * lines, params. Loaded with the buffer when a run starts (`Experiment.open`), not with the
 * page: every write needs a started run, and the builders (`exp.metrics(…)`, `exp.tracks(…)`,
 * `exp.logs`, `exp.params`) check that synchronously at the call before they hand the data
 * here, so when there is a context, this code is there. Everything stays synchronous.
 */
import type { Reader } from "../model/backend.ts";
import type { Buffer } from "./buffer.ts";
import { growColumnBlock, MAX_BLOCK_ROWS } from "../model/metric-block.ts";
import type { LogQueue, MetricQueue, TrackQueue } from "./stream-queue.ts";
import { ValidationError } from "../errors.ts";
import { nowMs, nowSeconds } from "../internal/clock.ts";
import { flattenInto, unflatten } from "../internal/flatten.ts";
import { isPlainObject, normalizeValue, type PlainObject, type PlainValue } from "../model/values.ts";
import type { Aggregation } from "../model/aggregation.ts";
import { summarize } from "./summary-math.ts";
import type { LogLevel, LogRecord, StreamId, StreamInfo } from "../model/batch.ts";

/** A stream builder as the write operations see it: its queue in the current run, and its name for messages. */
interface Writer<Q> {
  /** @internal The queue of this stream in `_queueCtx`'s run (a new run gets a new queue). */
  _queue: Q | undefined;
  /** @internal */
  _queueCtx: RunContext | undefined;
  /** `metrics("train").log()`, for messages (built only when one is needed). */
  where(method?: string): string;
}

/** `exp.metrics(name)` as {@link RunContext.logMetric} sees it. */
export interface MetricWriter extends Writer<MetricQueue> {
  readonly stream: StreamId;
  readonly info: StreamInfo | undefined;
}

/** `exp.tracks(topic)` as {@link RunContext.appendTrack} sees it. */
export interface TrackWriter extends Writer<TrackQueue> {
  readonly topic: string;
}

/** State of one open run, and its writes. */
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

  /**
   * Resolves a metric `_ts`: absent → now, `-1` → the previous timestamp (shared with tracks),
   * a finite number → itself.
   */
  metricTs(ts: unknown, where: string): number {
    let t: number;
    if (ts === undefined) t = nowSeconds();
    else if (ts === -1) {
      if (this.lastTs === undefined) {
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
    if (ts === undefined || (ts === -1 && this.lastTs === undefined)) {
      t = nowSeconds();
      if (t <= this.lastAutoTrackTs) t = this.lastAutoTrackTs + 1e-6;
      this.lastAutoTrackTs = t;
    } else if (ts === -1) t = this.lastTs as number;
    else if (typeof ts === "number" && Number.isFinite(ts)) t = ts;
    else throw new ValidationError(`${where}: timestamp _ts must be a finite number of seconds (or -1 to inherit), got ${describeTs(ts)}`, { field: "_ts" });
    this.lastTs = t;
    return t;
  }

  /** Queues one metric point (the caller checked the run is writable). */
  logMetric(m: MetricWriter, data: Record<string, unknown>): void {
    if (!isPlainObject(data)) {
      throw new ValidationError(`${m.where()} takes a plain object like { loss: 0.5, step: 1 }`, { field: "data" });
    }
    let q = m._queue;
    if (m._queueCtx !== this || q === undefined) {
      q = m._queue = this.buffer.metricQueue(m.stream, m.info);
      m._queueCtx = this;
    }
    // Hot path: same numeric key layout as the previous point → write straight into the columns.
    // Nothing is committed until `length` advances, so bailing out half-way is harmless.
    const b = q.tail;
    if (b !== undefined) {
      const n = b.length;
      if (n < b.ts.length || growColumnBlock(b, MAX_BLOCK_ROWS)) {
        const keys = b.keys;
        const cols = b.cols;
        let j = 0;
        let ts: unknown;
        let ok = true;
        for (const k in data) {
          const v = data[k];
          if (k === "_ts") ts = v;
          else if (typeof v === "number" && keys[j] === k) (cols[j++] as Float64Array)[n] = v;
          else {
            ok = false;
            break;
          }
        }
        if (ok && j === keys.length) {
          b.ts[n] = ts === undefined ? (this.lastTs = nowSeconds()) : this.metricTs(ts, m.where());
          b.length = n + 1;
          this.buffer.committedMetric(q, 8 + 8 * j);
          return;
        }
      }
    }
    this.logMetricSlow(m, q, data);
  }

  private logMetricSlow(m: MetricWriter, q: MetricQueue, data: Record<string, unknown>): void {
    const point: PlainObject = {};
    let bytes = 48;
    let ts: unknown;
    let numeric = true;
    const keys: string[] = [];
    for (const k in data) {
      const v = data[k];
      if (k === "_ts") ts = v;
      else if (typeof v === "number") {
        point[k] = v;
        keys.push(k);
        bytes += 24;
      } else if (v !== undefined) {
        const n = normalizeValue(v, k, m.where());
        point[k] = n;
        numeric = false;
        bytes += 16 + estimateBytes(n);
      }
    }
    point["_ts"] = ts === undefined ? (this.lastTs = nowSeconds()) : this.metricTs(ts, m.where());
    this.buffer.pushMetric(q, point, numeric ? keys : undefined, numeric ? 8 + 8 * keys.length : bytes);
  }

  /**
   * `exp.metrics.log({ epoch, train: { loss } })`: validates everything before queueing anything,
   * so a bad value leaves no partial write. `log(name, point)` queues one metric's point.
   */
  logMetricGroups(data: unknown, where: string, checkName: (name: string) => void, log: (name: string | null, point: PlainObject) => void): void {
    if (!isPlainObject(data)) throw new ValidationError(`${where} takes a plain object like { epoch: 1, train: { loss } }`, { field: "data" });
    const scalars: PlainObject = {};
    const groups: [string, PlainObject][] = [];
    for (const k in data) {
      if (k === "_ts") continue;
      const v = data[k];
      if (isPlainObject(v)) {
        checkName(k);
        groups.push([k, normalizeValue(v, k, where) as PlainObject]);
      } else if (v !== undefined) scalars[k] = normalizeValue(v, k, where);
    }
    const ts = this.metricTs(data["_ts"], where);
    if (Object.keys(scalars).length > 0) log(null, { ...scalars, _ts: ts });
    for (const [k, v] of groups) log(k, { ...scalars, ...v, _ts: ts });
  }

  /** Queues one track entry (the caller checked the run is writable); nested objects flatten to dot keys. */
  appendTrack(t: TrackWriter, data: Record<string, unknown>): void {
    if (!isPlainObject(data)) throw new ValidationError(`${t.where()} takes a plain object like { x: 1, y: 2 }`, { field: "data" });
    let ts: unknown;
    const flat: Record<string, PlainValue> = {};
    let bytes = 48;
    for (const k in data) {
      const v = data[k];
      if (k === "_ts") {
        ts = v;
        continue;
      }
      if (v === undefined) continue;
      const n = typeof v === "number" ? v : normalizeValue(v, k, t.where());
      if (n !== null && typeof n === "object" && !Array.isArray(n)) flattenInto(flat, n as PlainObject, k);
      else flat[k] = n;
      bytes += 16 + estimateBytes(n);
    }
    const time = this.trackTs(ts, t.where());
    let q = t._queue;
    if (t._queueCtx !== this || q === undefined) {
      q = t._queue = this.buffer.trackQueue(t.topic);
      t._queueCtx = this;
    }
    this.buffer.pushTrack(q, time, flat, bytes);
  }

  /** `exp.log(message, { level, metadata, ...extra })` (the caller checked the run is writable). */
  logCall(message: string, options: Record<string, unknown> | undefined, where: string): void {
    if (options === undefined) return this.log(message, "info", undefined, where);
    if (!isPlainObject(options)) throw new ValidationError(`${where}: options must be a plain object like { level: "info" }`, { field: "options" });
    const { level, metadata, ...extra } = options;
    if (metadata !== undefined && !isPlainObject(metadata)) {
      throw new ValidationError(`${where}: metadata must be a plain object`, { field: "metadata" });
    }
    const merged = Object.keys(extra).length > 0 ? { ...metadata, ...extra } : metadata;
    this.log(message, parseLevel(level, where), merged, where);
  }

  /** Validates and queues one log line; mirrors it to the console when `echo` is on. */
  log(message: unknown, level: LogLevel, meta: Record<string, unknown> | undefined, where: string): void {
    if (typeof message !== "string") {
      throw new ValidationError(`${where}: the message must be a string, got ${message === null ? "null" : typeof message}`, { field: "message" });
    }
    let metadata: PlainObject | undefined;
    let bytes = 64 + message.length * 2;
    if (meta !== undefined) {
      if (!isPlainObject(meta)) throw new ValidationError(`${where}: metadata must be a plain object`, { field: "metadata" });
      const n = normalizeValue(meta, "", where) as PlainObject;
      if (Object.keys(n).length > 0) {
        metadata = n;
        bytes += estimateBytes(n);
      }
    }
    const rec: LogRecord = { timeMs: nowMs(), level, message, metadata };
    this.buffer.pushLog(this.logQueue, rec, bytes);
    if (this.echo) echoLine(rec);
  }

  /** Adds the `"<key>.<agg>"` values of buffered numbers to `out` (`logSummary`, `summaryCache.summarize`). */
  summarize(values: Map<string, number[]>, aggs: readonly Aggregation[], out: Record<string, unknown>): void {
    summarize(values, aggs, out);
  }

  /** Merges values into the params (flattened to dot keys; later values win key by key). */
  setParams(values: unknown, where: string): void {
    if (!isPlainObject(values)) {
      throw new ValidationError(`${where} takes a plain object of values, like { lr: 0.001 }`, { field: "values" });
    }
    const flat: Record<string, PlainValue> = {};
    for (const k in values) {
      const v = values[k];
      if (v === undefined) continue;
      const n = paramValue(v, k, where);
      if (n !== null && typeof n === "object" && !Array.isArray(n)) flattenInto(flat, n, k);
      else flat[k] = n;
    }
    if (Object.keys(flat).length === 0) return;
    Object.assign(this.params, flat);
    this.paramsVersion++;
    this.buffer.setParams({ version: this.paramsVersion, data: { ...this.params }, changed: flat });
  }

  /** The params: flat dot keys, or nested with `flatten: false`. */
  getParams(flatten: boolean): Record<string, PlainValue> | PlainObject {
    const flat = { ...this.params };
    return flatten ? flat : unflatten(flat);
  }
}

const LEVELS: Record<string, LogLevel> = { debug: "debug", info: "info", warn: "warn", warning: "warn", error: "error", fatal: "fatal" };

/** Normalises a level name; throws {@link ValidationError} for anything unknown. */
export function parseLevel(level: unknown, where: string): LogLevel {
  if (level === undefined) return "info";
  const l = typeof level === "string" ? LEVELS[level.toLowerCase()] : undefined;
  if (!l) {
    throw new ValidationError(`${where}: invalid log level ${JSON.stringify(level)}; use one of debug, info, warn, error, fatal`, {
      field: "level",
    });
  }
  return l;
}

/** A cheap estimate of the memory a normalised value holds, for the byte-bounded buffer. */
function estimateBytes(v: PlainValue): number {
  if (typeof v === "number" || typeof v === "boolean" || v === null) return 8;
  if (typeof v === "string") return 16 + v.length * 2;
  let n = 32;
  if (Array.isArray(v)) for (const x of v) n += estimateBytes(x);
  else for (const k in v) n += 16 + k.length * 2 + estimateBytes(v[k] as PlainValue);
  return n;
}

function describeTs(ts: unknown): string {
  return typeof ts === "number" ? String(ts) : typeof ts === "string" ? JSON.stringify(ts) : typeof ts;
}

function echoLine(r: LogRecord): void {
  let line = `[${r.level.toUpperCase()}] ${r.message}`;
  if (r.metadata) {
    const parts = Object.entries(r.metadata).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    if (parts.length > 0) line += ` [${parts.join(", ")}]`;
  }
  if (r.level === "error" || r.level === "fatal") console.error(line);
  else console.log(line);
}

function isClass(v: unknown): v is abstract new (...args: never[]) => unknown {
  return typeof v === "function" && /^class[\s{]/.test(Function.prototype.toString.call(v));
}

/** The own, public, non-function fields of a config class (its statics) or of a class instance. */
function fieldsOf(v: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    if (k.startsWith("_")) continue;
    const field = (v as Record<string, unknown>)[k];
    if (typeof field === "function") continue;
    out[k] = field;
  }
  return out;
}

/** Normalises one param value; config classes and class instances become objects of their fields. */
function paramValue(v: unknown, path: string, where: string): PlainValue {
  if (isClass(v)) return normalizeValue(fieldsOf(v), path, where);
  if (v !== null && typeof v === "object" && !Array.isArray(v) && !isPlainObject(v) && !ArrayBuffer.isView(v)) {
    if (Object.prototype.toString.call(v) === "[object Object]") return normalizeValue(fieldsOf(v), path, where);
  }
  return normalizeValue(v, path, where);
}
