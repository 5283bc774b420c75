/**
 * How long the remote path keeps trying before it says so. The client retries one request
 * (`remote.retries`, with backoff); on top of that, a batch or an upload gets {@link PATIENCE}
 * such rounds, with a pause between them, before the failure reaches `flush()` /
 * `complete()`. A bad minute of the network is absorbed; an outage is reported in bounded
 * time, never waited out forever.
 */

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
 * Runs `attempt` (one request with its client retries) again after a pause while it fails
 * transiently, for up to {@link PATIENCE} rounds; a refusal (4xx) or the last failure is thrown.
 * For idempotent one-off requests, such as the run's final status, that have no queue to wait in.
 */
export async function patiently<T>(attempt: () => Promise<T>, isTransient: (err: unknown) => boolean): Promise<T> {
  for (let failures = 0; ; ) {
    try {
      return await attempt();
    } catch (err) {
      if (!isTransient(err) || ++failures >= PATIENCE) throw err;
      await sleep(pauseMs(failures));
    }
  }
}
