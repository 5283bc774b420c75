/**
 * Log lines: `exp.log(message, options)` and `exp.logs.<level>(message, metadata)`. Timestamps
 * are taken at the call; sequence numbers are given when the batch is stored. `parseLevel` is
 * also the server's reading of a level name (src/server/batches.ts).
 */
import type { Buffer } from "./buffer.ts";
import type { LogQueue } from "./stream-queue.ts";
import { estimateBytes } from "./estimate-bytes.ts";
import { ValidationError } from "../errors.ts";
import { nowMs } from "../internal/clock.ts";
import { isPlainObject, normalizeValue, type PlainObject } from "../model/values.ts";
import type { LogLevel, LogRecord } from "../model/batch.ts";

/** The log of one open run: validates lines, queues them, mirrors them to the console when `echo` is on. */
export class LogWriter {
  private readonly queue: LogQueue;

  constructor(
    private readonly buffer: Buffer,
    /** Mirror log lines to the console. */
    private readonly echo: boolean,
  ) {
    this.queue = buffer.logQueue();
  }

  /** `exp.log(message, { level, metadata, ...extra })` (the caller checked the run is writable). */
  call(message: string, options: Record<string, unknown> | undefined, where: string): void {
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
    this.buffer.pushLog(this.queue, rec, bytes);
    if (this.echo) echoLine(rec);
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

function echoLine(r: LogRecord): void {
  let line = `[${r.level.toUpperCase()}] ${r.message}`;
  if (r.metadata) {
    const parts = Object.entries(r.metadata).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    if (parts.length > 0) line += ` [${parts.join(", ")}]`;
  }
  if (r.level === "error" || r.level === "fatal") console.error(line);
  else console.log(line);
}
