/**
 * Log lines: `exp.log(message, options)` and `exp.logs.info(message, metadata)`. Timestamps are
 * taken at the call (UTC, microseconds); sequence numbers are given when the batch is stored
 * and continue on resume.
 */
import type { Host, RunContext } from "./context.ts";
import { ValidationError } from "./errors.ts";
import { nowMs } from "./internal/clock.ts";
import { estimateBytes, isPlainObject, normalizeValue, type PlainObject } from "./internal/values.ts";
import type { LogLevel, LogRecord } from "./streams.ts";

/** Options of `exp.log()`: a level, metadata, and any extra keys (merged into the metadata). */
export interface LogOptions {
  /** `debug`, `info` (default), `warn` (or `warning`), `error` or `fatal`; case-insensitive. */
  readonly level?: LogLevel | "warning" | Uppercase<LogLevel> | Uppercase<"warning">;
  readonly metadata?: Record<string, unknown>;
  readonly [extra: string]: unknown;
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

/** Validates and enqueues one log line. */
export function enqueueLog(ctx: RunContext, message: unknown, level: LogLevel, meta: Record<string, unknown> | undefined, where: string): void {
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
  ctx.buffer.pushLog(ctx.logQueue, rec, bytes);
  if (ctx.echo) echoLine(rec);
}

/** `exp.log(message, { level, metadata, ...extra })`. */
export function logCall(host: Host, message: string, options: LogOptions | undefined): void {
  const where = "exp.log()";
  const ctx = host._writable(where);
  if (options === undefined) return enqueueLog(ctx, message, "info", undefined, where);
  if (!isPlainObject(options)) throw new ValidationError(`${where}: options must be a plain object like { level: "info" }`, { field: "options" });
  const { level, metadata, ...extra } = options;
  if (metadata !== undefined && !isPlainObject(metadata)) {
    throw new ValidationError(`${where}: metadata must be a plain object`, { field: "metadata" });
  }
  const merged = Object.keys(extra).length > 0 ? { ...metadata, ...extra } : metadata;
  enqueueLog(ctx, message, parseLevel(level, where), merged, where);
}

/** `exp.logs`: one method per level. */
export class Logs {
  constructor(private readonly host: Host) {}

  /** A debug line. */
  debug(message: string, metadata?: Record<string, unknown>): void {
    this.at("debug", message, metadata);
  }
  /** An info line. */
  info(message: string, metadata?: Record<string, unknown>): void {
    this.at("info", message, metadata);
  }
  /** A warning line. */
  warn(message: string, metadata?: Record<string, unknown>): void {
    this.at("warn", message, metadata);
  }
  /** Alias of {@link Logs.warn}. */
  warning(message: string, metadata?: Record<string, unknown>): void {
    this.at("warn", message, metadata);
  }
  /** An error line (mirrored to stderr). */
  error(message: string, metadata?: Record<string, unknown>): void {
    this.at("error", message, metadata);
  }
  /** A fatal line (mirrored to stderr). */
  fatal(message: string, metadata?: Record<string, unknown>): void {
    this.at("fatal", message, metadata);
  }

  /** Stored log lines from `startSequence` on (flushes first). */
  async read(options: { startSequence?: number; limit?: number } = {}): Promise<import("./backend.ts").StoredLog[]> {
    const ctx = this.host._readable("logs.read()");
    await ctx.buffer.flush();
    return ctx.reader.readLogs(options.startSequence ?? 0, options.limit ?? 1000);
  }

  private at(level: LogLevel, message: string, metadata: Record<string, unknown> | undefined): void {
    const where = `logs.${level}()`;
    enqueueLog(this.host._writable(where), message, level, metadata, where);
  }
}
