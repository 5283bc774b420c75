/**
 * Wall-clock time with sub-millisecond resolution, the way Python's `time.time()` gives it.
 *
 * `Date.now()` has millisecond resolution; `performance.now()` is finer but drifts from the
 * wall clock over long runs. We anchor the monotonic clock to the wall clock and re-anchor
 * every second, never letting time go backwards.
 */

const perf: { now(): number } = globalThis.performance ?? { now: () => Date.now() };

let offset = Date.now() - perf.now();
let reanchorAt = perf.now() + 1000;
let last = 0;

/** Milliseconds since the Unix epoch, with a fractional part, never decreasing. */
export function nowMs(): number {
  const p = perf.now();
  if (p >= reanchorAt) {
    offset = Date.now() - p;
    reanchorAt = p + 1000;
  }
  const t = offset + p;
  if (t > last) last = t;
  return last;
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
