/**
 * The remote path's retry policy (src/backends/remote/retry.ts) on its own: what counts as
 * transient, how long a request waits before its next attempt, and the rounds a background
 * queue gets before its waiters hear of a failure.
 */
import fc from "fast-check";
import { afterEach, describe, expect, test, vi } from "vitest";
import { AuthenticationError, NetworkError, RemoteError, ValidationError } from "../../../src/errors.ts";
import { backoffMs, isTransient, PATIENCE, pauseMs, retryAfterMs, retryPolicy, Rounds } from "../../../src/backends/remote/retry.ts";

describe("what is retried", () => {
  test("network errors, timeouts, 408, 429 and 5xx are transient; refusals are answers", () => {
    expect(isTransient(new NetworkError("down"))).toBe(true);
    for (const status of [408, 429, 500, 502, 503, 504]) expect(isTransient(new RemoteError("x", status, undefined))).toBe(true);
    for (const status of [0, 400, 401, 403, 404, 409, 413, 415, 422]) expect(isTransient(new RemoteError("x", status, undefined))).toBe(false);
    expect(isTransient(new AuthenticationError("no"))).toBe(false);
    expect(isTransient(new ValidationError("bad", { field: "x" }))).toBe(false);
    expect(isTransient(new TypeError("fetch failed"))).toBe(false); // the client maps these to NetworkError first
  });
});

describe("how long a request waits", () => {
  test("the defaults are the documented ones", () => {
    expect(retryPolicy()).toEqual({ retries: 5, backoffMs: 500, maxBackoffMs: 30_000, timeoutMs: 30_000 });
    expect(retryPolicy({ retries: 0, backoffMs: 20 })).toMatchObject({ retries: 0, backoffMs: 20, maxBackoffMs: 30_000 });
  });

  test("full jitter: a wait in [0, min(cap, base · 2^attempt))", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 60_000 }), (attempt, base, cap) => {
        const ms = backoffMs({ retries: 5, backoffMs: base, maxBackoffMs: cap, timeoutMs: 0 }, attempt);
        return ms >= 0 && ms < Math.min(cap, base * 2 ** attempt);
      }),
    );
  });

  test("Retry-After in seconds or as an HTTP date, never below 0, capped; absent or garbage is no answer", () => {
    expect(retryAfterMs("2", 30_000)).toBe(2000);
    expect(retryAfterMs("120", 30_000)).toBe(30_000);
    expect(retryAfterMs("-5", 30_000)).toBe(0);
    expect(retryAfterMs(new Date(Date.now() + 3_600_000).toUTCString(), 5000)).toBe(5000);
    expect(retryAfterMs(new Date(Date.now() - 60_000).toUTCString(), 5000)).toBe(0);
    expect(retryAfterMs(null, 5000)).toBeUndefined();
    expect(retryAfterMs("soon", 5000)).toBeUndefined();
  });

  test("pauses between rounds grow from about 1 s to at most 60 s", () => {
    for (let failures = 1; failures <= 12; failures++) {
      // A computed backoff (jittered between half and all of its cap), not a measured time.
      const cap = Math.min(60_000, 1000 * 2 ** Math.min(failures - 1, 6));
      const pause = pauseMs(failures);
      expect(pause).toBeGreaterThanOrEqual(cap / 2);
      expect(pause).toBeLessThanOrEqual(cap);
    }
  });
});

describe("rounds of a background queue", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("each failed round pauses, then wakes the queue; the patience is spent after PATIENCE rounds", () => {
    vi.useFakeTimers();
    let woken = 0;
    const rounds = new Rounds(() => woken++);
    for (let i = 1; i < PATIENCE; i++) {
      expect(rounds.failed()).toBe(false);
      expect(rounds.paused).toBe(true);
      vi.advanceTimersByTime(60_000);
      expect(rounds.paused).toBe(false);
      expect(woken).toBe(i);
    }
    expect(rounds.failed()).toBe(true);
    expect(rounds.failing).toBe(true);
    // An explicit flush gets one more round, at once.
    rounds.resume(true);
    expect(rounds.paused).toBe(false);
    expect(rounds.failed()).toBe(true);
    rounds.succeeded();
    expect(rounds.failing).toBe(false);
    rounds.close();
    vi.advanceTimersByTime(60_000);
    expect(woken).toBe(PATIENCE - 1); // a closed queue is not woken
  });
});
