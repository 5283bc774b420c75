/**
 * `exp.run`: callable like Python's `with exp.run:` — `await exp.run(async (exp) => …)`
 * completes on return and fails (then rethrows) on a throw — and carries the explicit
 * `start()`, `complete()`, `fail()` and `cancel()`.
 */
import type { RunStatus } from "../model/backend.ts";

/** The lifecycle of an experiment run. */
export interface RunHandle<E> {
  /**
   * Starts the run, calls `fn`, completes the run when `fn` returns and fails it (recording
   * the error) when `fn` throws, then rethrows. Returns what `fn` returns.
   */
  <R>(fn: (exp: E) => R | Promise<R>): Promise<R>;
  /** Starts (or resumes) the run: status RUNNING; indices, sequence numbers and params continue. Idempotent. */
  start(): Promise<E>;
  /**
   * Opens the run to read it and nothing else: params, metrics, tracks, logs and files read as
   * after `start()`, but no byte of the store changes (no status, no `updated_at`, no repair of
   * a torn line), and writes throw. `start()` later makes it a writing run; `complete()` just
   * closes it. Needs a local store (a server's run is read through the server).
   */
  open(): Promise<E>;
  /** Drains every buffer, then records COMPLETED. */
  complete(): Promise<void>;
  /** Records the error as a log line, drains, then records FAILED. */
  fail(error?: unknown): Promise<void>;
  /** Drains, then records CANCELLED. */
  cancel(): Promise<void>;
}

/** Builds the callable run handle of an experiment. */
export function createRunHandle<E>(
  exp: E,
  ops: { start(): Promise<E>; open(): Promise<E>; end(status: RunStatus, error?: unknown): Promise<void> },
): RunHandle<E> {
  const run = async <R>(fn: (exp: E) => R | Promise<R>): Promise<R> => {
    await ops.start();
    let result: R;
    try {
      result = await fn(exp);
    } catch (err) {
      try {
        await ops.end("FAILED", err);
      } catch (endErr) {
        // The callback's error is the one the caller needs; keep the other as its cause.
        if (err instanceof Error && err.cause === undefined) Object.defineProperty(err, "cause", { value: endErr, configurable: true });
      }
      throw err;
    }
    await ops.end("COMPLETED");
    return result;
  };
  const handle = run as RunHandle<E>;
  handle.start = () => ops.start();
  handle.open = () => ops.open();
  handle.complete = () => ops.end("COMPLETED");
  handle.fail = (error?: unknown) => ops.end("FAILED", error);
  handle.cancel = () => ops.end("CANCELLED");
  return handle;
}
