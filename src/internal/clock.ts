/**
 * Wall-clock time with sub-millisecond resolution, the way Python's `time.time()` gives it.
 *
 * `Date.now()` has millisecond resolution; `performance.now()` is finer but drifts from the
 * wall clock over long runs. We anchor the monotonic clock to the wall clock and re-anchor
 * every second, never letting time go backwards.
 */

const perf: { now(): number } = globalThis.performance ?? { now: () => Date.now() };

/**
 * The anchor and the last time given. Fields of an object, not module variables: V8 stores a
 * fractional number in a module variable as a new heap number each time (16 bytes per call,
 * one call per logged point), and updates a number field in place.
 */
const clock = { offset: Date.now() - perf.now(), reanchorAt: perf.now() + 1000, last: -Infinity };

/** Milliseconds since the Unix epoch, with a fractional part, never decreasing. */
export function nowMs(): number {
  const p = perf.now();
  if (p >= clock.reanchorAt) {
    clock.offset = Date.now() - p;
    clock.reanchorAt = p + 1000;
  }
  const t = clock.offset + p;
  if (t > clock.last) clock.last = t;
  return clock.last;
}

/** Seconds since the Unix epoch as a float (Python's `time.time()`), to the microsecond. */
export function nowSeconds(): number {
  // Microsecond grid: Python's ISO stamps carry microseconds too, and a grid value formats fast.
  return Math.round(nowMs() * 1000) / 1e6;
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

/**
 * Formats epoch milliseconds as Python's `datetime.utcnow().isoformat() + "Z"`: UTC, six
 * fractional digits, and no fraction at all when the microseconds are exactly zero.
 *
 * @example isoMicros(0) === "1970-01-01T00:00:00Z"
 */
export function isoMicros(ms: number): string {
  const whole = Math.floor(ms);
  const d = new Date(whole);
  const micros = d.getUTCMilliseconds() * 1000 + Math.min(999, Math.floor((ms - whole) * 1000));
  const base =
    d.getUTCFullYear() +
    "-" +
    pad2(d.getUTCMonth() + 1) +
    "-" +
    pad2(d.getUTCDate()) +
    "T" +
    pad2(d.getUTCHours()) +
    ":" +
    pad2(d.getUTCMinutes()) +
    ":" +
    pad2(d.getUTCSeconds());
  return micros === 0 ? base + "Z" : base + "." + String(micros).padStart(6, "0") + "Z";
}

/** The current time as {@link isoMicros} formats it. */
export function nowIso(): string {
  return isoMicros(nowMs());
}
