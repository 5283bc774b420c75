/**
 * The narrow view of the experiment that the write and read APIs work through. The state of
 * one open run (from `run.start()` to the end) is a {@link RunContext}, whose code loads when a
 * run starts (run-context.ts).
 */
import type { RunContext } from "../write/run-context.ts";

export type { RunContext } from "../write/run-context.ts";

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
