/**
 * Log lines: `exp.log(message, options)` and `exp.logs.info(message, metadata)`. Timestamps are
 * taken at the call (UTC, microseconds); sequence numbers are given when the batch is stored
 * and continue on resume.
 */
import type { Host } from "./host.ts";
import type { LogLevel } from "../model/batch.ts";

/** Options of `exp.log()`: a level, metadata, and any extra keys (merged into the metadata). */
export interface LogOptions {
  /** `debug`, `info` (default), `warn` (or `warning`), `error` or `fatal`; case-insensitive. */
  readonly level?: LogLevel | "warning" | Uppercase<LogLevel> | Uppercase<"warning">;
  readonly metadata?: Record<string, unknown>;
  readonly [extra: string]: unknown;
}

/** `exp.log(message, { level, metadata, ...extra })`. */
export function logCall(host: Host, message: string, options: LogOptions | undefined): void {
  host._writable("exp.log()").logs.call(message, options, "exp.log()");
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
  async read(options: { startSequence?: number; limit?: number } = {}): Promise<import("../model/backend.ts").StoredLog[]> {
    const ctx = this.host._readable("logs.read()");
    await ctx.buffer.flush();
    return ctx.reader.readLogs(options.startSequence ?? 0, options.limit ?? 1000);
  }

  private at(level: LogLevel, message: string, metadata: Record<string, unknown> | undefined): void {
    const where = `logs.${level}()`;
    this.host._writable(where).logs.log(message, level, metadata, where);
  }
}
