/**
 * The remote path's one retry policy, at its two scales:
 *
 * - **a request** (the client, every request path): 408, 429, 5xx, timeouts and network errors
 *   are retried up to `remote.retries` times, after a server's `Retry-After` (capped at
 *   `remote.maxBackoffMs`) or else a backoff with full jitter (a random wait up to
 *   `backoffMs · 2^n`, capped). Never 400/401/403/404/409/413/415/422: those are answers, not
 *   accidents. Every request the SDK sends is idempotent (batches carry their position, params
 *   merge, nodes upsert), so retrying a POST is safe.
 * - **rounds** (a batch, an upload, the final status): when a request has spent its retries,
 *   it gets up to {@link PATIENCE} such rounds, with a pause between them (1 s, 2 s, 4 s … 60 s,
 *   jittered), before the failure reaches `flush()` / `complete()`. A bad minute of the network
 *   is absorbed; an outage is reported in bounded time, never waited out forever. Background
 *   queues (the hybrid upload, file sync) keep pausing and trying for as long as the process
 *   lives ({@link Rounds}).
 */
import { NetworkError, RemoteError } from "../../errors.ts";
import { DEFAULT_BACKOFF_MS, DEFAULT_MAX_BACKOFF_MS, DEFAULT_REMOTE_TIMEOUT_MS, DEFAULT_RETRIES } from "../../model/defaults.ts";
import type { RemoteOptions } from "../../model/options.ts";

/** Answers worth trying again: the server (or a proxy) is busy, restarting or overloaded. */
export const TRANSIENT_STATUS: readonly number[] = [408, 429, 500, 502, 503, 504];

/** True for an HTTP status worth trying again. */
export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUS.includes(status);
}

/** True for failures worth trying again later (network, timeouts, 408/429/5xx). */
export function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  if (err instanceof RemoteError) return isTransientStatus(err.status);
  return false;
}

/** How one request is retried (the `remote` options, defaults filled in). */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** The first backoff delay (ms). */
  readonly backoffMs: number;
  /** Cap of one delay, and of a server's `Retry-After` (ms). */
  readonly maxBackoffMs: number;
  /** Time until an answer's headers, per attempt (ms; 0 = none). */
  readonly timeoutMs: number;
}

/** The policy of the `remote` options. */
export function retryPolicy(o: RemoteOptions = {}): RetryPolicy {
  return {
    retries: o.retries ?? DEFAULT_RETRIES,
    backoffMs: o.backoffMs ?? DEFAULT_BACKOFF_MS,
    maxBackoffMs: o.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
    timeoutMs: o.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS,
  };
}

/** The wait before retrying after failed attempt `attempt` (0 for the first): full jitter, capped. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** attempt);
}

/** A `Retry-After` header (seconds or an HTTP date) in ms, capped; undefined when absent. */
export function retryAfterMs(header: string | null, cap: number): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(cap, Math.max(0, ms)) : undefined;
}

/** Rounds of client retries before a failure is reported to the caller. */
export const PATIENCE = 3;

/** The pause after the `failures`-th failed round: 1 s, 2 s, 4 s … up to 60 s, with jitter (×0.5–1). */
export function pauseMs(failures: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.min(Math.max(0, failures - 1), 6)) * (0.5 + Math.random() / 2);
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * After the `failures`-th failed round: false when the patience is spent, else true after the
 * pause (go again).
 */
export async function anotherRound(failures: number): Promise<boolean> {
  if (failures >= PATIENCE) return false;
  await sleep(pauseMs(failures));
  return true;
}

/**
 * Runs `attempt` (one request with its retries) again after a pause while it fails
 * transiently, for up to {@link PATIENCE} rounds; a refusal (4xx) or the last failure is thrown.
 * For idempotent one-off requests, such as the run's final status, that have no queue to wait in.
 */
export async function patiently<T>(attempt: () => Promise<T>): Promise<T> {
  for (let failures = 0; ; ) {
    try {
      return await attempt();
    } catch (err) {
      if (!isTransient(err) || !(await anotherRound(++failures))) throw err;
    }
  }
}

/**
 * The rounds of a background queue (the hybrid upload, file sync): after a failed round the
 * queue pauses, then `wake` is called to try again, for as long as the process lives; the
 * queue's waiters hear of the failure once the patience is spent.
 */
export class Rounds {
  private failures = 0;
  private pausedUntil = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly wake: () => void,
    private readonly unrefTimer?: ((handle: unknown) => void) | undefined,
  ) {}

  /** True during the pause after a failed round. */
  get paused(): boolean {
    return Date.now() < this.pausedUntil;
  }

  /** True while the server keeps failing (reset by the next round that goes through). */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** A round went through. */
  succeeded(): void {
    this.failures = 0;
  }

  /** A round failed: pause, then wake. True once the patience is spent (waiters should hear of it). */
  failed(): boolean {
    this.failures++;
    const delay = pauseMs(this.failures);
    this.pausedUntil = Date.now() + delay;
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pausedUntil = 0;
      this.wake();
    }, delay);
    this.unrefTimer?.(this.timer);
    return this.failures >= PATIENCE;
  }

  /** Ends a pause now. `oneMore`: an explicit flush after the patience was spent gets one more round. */
  resume(oneMore = false): void {
    if (oneMore && this.failures >= PATIENCE) this.failures = PATIENCE - 1;
    this.pausedUntil = 0;
    this.clear();
  }

  /** Stops the pending wake-up. */
  close(): void {
    this.clear();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
