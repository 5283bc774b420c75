/**
 * Numbers and x values as people read them: axis titles per x kind, durations, times, and values
 * with a few significant digits (used by legends, the zoom-reset label and the runs table).
 */

/** A duration in seconds: `42.5s`, `3.2m`, `1.5h`. */
export function fmtDuration(s: number): string {
  const a = Math.abs(s);
  if (a < 120) return `${+s.toFixed(1)}s`;
  if (a < 7200) return `${+(s / 60).toFixed(1)}m`;
  return `${+(s / 3600).toFixed(1)}h`;
}

// One formatter each, made once: `toLocaleString` with options builds a new one per call (50 µs;
// a runs table of 200 rows formats ~1,000 values).
const INTEGER = new Intl.NumberFormat("en-US");
const DECIMAL = new Intl.NumberFormat("en-US", { maximumFractionDigits: 20 });

/** A value with up to `digits` significant digits, grouped (`12,345`, `0.001234`, `1.2e-7`). */
export function fmtNum(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return "—";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e15)) return v.toExponential(digits - 1).replace(/\.?0+e/, "e");
  if (Number.isInteger(v)) return INTEGER.format(v);
  return DECIMAL.format(+v.toPrecision(digits));
}

/** The title of an x axis of `kind` (a server x key, or `relative`). */
export function xTitle(kind: string): string {
  if (kind === "_ts" || kind === "timestamp") return "time";
  if (kind === "relative") return "time since start";
  if (kind === "index") return "index (point number)";
  if (kind === "auto" || kind === "default") return "";
  return kind;
}

/** An x value in its axis' units: a wall time (epoch seconds), a duration, or a number. */
export function fmtX(kind: string, v: number): string {
  if (kind === "_ts" || kind === "timestamp") {
    const d = new Date(v * 1000);
    const pad = (n: number): string => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  if (kind === "relative") return fmtDuration(v);
  return fmtNum(v, 6);
}
