/**
 * The end-to-end points/s benchmark, portable to every host: N metric points `{ loss, acc,
 * step }` logged, then `await exp.flush()` (everything durable in the store). The clock covers
 * both, so the figure is what a training loop sees when it waits for its data to be kept. As in
 * bench/core.bench.ts, the loop yields to the event loop every 1,000 points (a training step),
 * here through a MessageChannel: a macrotask that browsers and Deno do not clamp to 4 ms as they
 * do nested timers (one channel per measurement: see `eventLoopYielder`).
 */
import { Experiment } from "../src/index.ts";
import type { StorageAdapter } from "../src/storage/contract.ts";
import { timeAppends } from "./append-time.ts";

/** One measurement. */
export interface PointsResult {
  readonly n: number;
  /** `performance.now()` at the first log call (the start of the timed part). */
  readonly startedAt: number;
  /** Milliseconds from the first log call to the end of `flush()`. */
  readonly ms: number;
  /** Of those, milliseconds spent inside the logging loop (the `log()` calls, between yields). */
  readonly logMs: number;
  /** Of those, milliseconds with a store append in flight (bench/append-time.ts): near `ms`, the store bounds the run. */
  readonly appendMs?: number;
  readonly pointsPerSec: number;
  /** Bytes written per point (JSONL). */
  readonly bytesPerPoint: number;
  /** The run's prefix (its folder in the store), to read what it wrote. */
  readonly prefix: string;
  /** Figures `around.end()` reported for this run (browsers: page-thread busy time, rAF gap). */
  readonly extra?: Readonly<Record<string, number>>;
}

/** How a host measures: its entry's `Experiment`, and hooks around the timed part. */
export interface MeasureOptions {
  /** The `Experiment` of the host's entry (with its encoder workers); the core's by default. */
  readonly Experiment?: typeof Experiment;
  /** Called just before the first `log()` and just after `flush()` resolves. */
  readonly around?: { start(): Promise<void>; end(): Promise<Record<string, number>> };
}

let runs = 0;

/**
 * Yields to the event loop (`next()` resolves on the next macrotask) through one MessageChannel
 * kept for a measurement: a new channel per yield cost the page ~55 µs each in Chromium (a CDP
 * profile: 0.12 µs per point of page-thread time at one yield per 1,000 points, counted against
 * the SDK). `close()` lets Node and Deno exit.
 */
function eventLoopYielder(): { next(): Promise<void>; close(): void } {
  const channel = new MessageChannel();
  let resolve: () => void = () => undefined;
  channel.port1.onmessage = () => resolve();
  return {
    next: () =>
      new Promise<void>((r) => {
        resolve = r;
        channel.port2.postMessage(0);
      }),
    close: () => channel.port1.close(),
  };
}

/** Logs `n` points into a fresh run on `storage` and flushes them. */
export async function measurePoints(storage: StorageAdapter, n: number, options: MeasureOptions = {}): Promise<PointsResult> {
  const Exp = options.Experiment ?? Experiment;
  const prefix = `bench/points/run-${n}-${Date.now().toString(36)}-${runs++}`;
  const exp = new Exp(prefix, { storage, echo: false });
  await exp.run.start();
  const m = exp.metrics("train");
  await options.around?.start();
  const t0 = performance.now();
  let logMs = 0; // wall time inside the logging loop's synchronous stretches (the log() calls)
  let from = t0;
  const yielder = eventLoopYielder();
  for (let step = 0; step < n; step++) {
    m.log({ loss: 1 / (step + 1), acc: step / n, step });
    if (step % 1000 === 999) {
      logMs += performance.now() - from;
      await yielder.next();
      from = performance.now();
    }
  }
  yielder.close();
  logMs += performance.now() - from;
  await exp.flush();
  const ms = performance.now() - t0;
  const extra = await options.around?.end();
  const { bytes, dropped } = exp.stats;
  await exp.run.complete();
  if (dropped > 0) throw new Error(`benchmark dropped ${dropped} points`);
  return { n, startedAt: t0, ms, logMs, pointsPerSec: (n / ms) * 1000, bytesPerPoint: bytes / n, prefix, ...(extra ? { extra } : {}) };
}

/** The median of `repeat` measurements (the machine is shared and noisy), each with its append time. */
export async function medianPoints(storage: StorageAdapter, n: number, repeat = 3, options: MeasureOptions = {}): Promise<PointsResult> {
  const appends = timeAppends(storage);
  const all: PointsResult[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = await measurePoints(appends.storage, n, options);
    all.push({ ...r, appendMs: appends.inFlightMs(r.startedAt, r.startedAt + r.ms) });
  }
  all.sort((a, b) => a.pointsPerSec - b.pointsPerSec);
  return all[Math.floor(all.length / 2)]!;
}
