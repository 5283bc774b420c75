/**
 * `strftime` for template specs like `{now:%Y/%m-%d}`: the directives Python's
 * `datetime.strftime` gives on Linux (glibc, C locale), over a Date read in local time — RUN's
 * `now` is a naive local datetime in Python.
 */
import { TemplateError } from "./template-error.ts";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const pad = (n: number, width = 2, fill = "0"): string => String(n).padStart(width, fill);

/** Day of the year, 1-based, in local time. */
function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  // Calendar days, not elapsed hours: DST shifts must not move the count.
  const utc = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((utc - Date.UTC(start.getFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** Week number of the year with weeks starting on `firstDay` (0 = Sunday for %U, 1 = Monday for %W). */
function weekOfYear(d: Date, firstDay: number): number {
  const yday = dayOfYear(d) - 1;
  const wday = (d.getDay() - firstDay + 7) % 7;
  return Math.floor((yday + 7 - wday) / 7);
}

type Directive = (d: Date) => string;

const DIRECTIVES: Record<string, Directive> = {
  a: (d) => (DAYS[d.getDay()] as string).slice(0, 3),
  A: (d) => DAYS[d.getDay()] as string,
  b: (d) => (MONTHS[d.getMonth()] as string).slice(0, 3),
  B: (d) => MONTHS[d.getMonth()] as string,
  c: (d) => strftime(d, "%a %b %e %H:%M:%S %Y"),
  d: (d) => pad(d.getDate()),
  D: (d) => strftime(d, "%m/%d/%y"),
  e: (d) => pad(d.getDate(), 2, " "),
  f: (d) => pad(d.getMilliseconds() * 1000, 6),
  F: (d) => strftime(d, "%Y-%m-%d"),
  H: (d) => pad(d.getHours()),
  I: (d) => pad(d.getHours() % 12 || 12),
  j: (d) => pad(dayOfYear(d), 3),
  m: (d) => pad(d.getMonth() + 1),
  M: (d) => pad(d.getMinutes()),
  p: (d) => (d.getHours() < 12 ? "AM" : "PM"),
  R: (d) => strftime(d, "%H:%M"),
  S: (d) => pad(d.getSeconds()),
  T: (d) => strftime(d, "%H:%M:%S"),
  u: (d) => String(d.getDay() || 7),
  U: (d) => pad(weekOfYear(d, 0)),
  w: (d) => String(d.getDay()),
  W: (d) => pad(weekOfYear(d, 1)),
  x: (d) => strftime(d, "%m/%d/%y"),
  X: (d) => strftime(d, "%H:%M:%S"),
  y: (d) => pad(d.getFullYear() % 100),
  Y: (d) => String(d.getFullYear()),
  // RUN.now is naive in Python, so the zone directives print nothing there; the same here.
  z: () => "",
  Z: () => "",
  "%": () => "%",
};

/** The directives {@link strftime} understands, for documentation and error messages. */
export const STRFTIME_DIRECTIVES: readonly string[] = Object.keys(DIRECTIVES).map((k) => "%" + k);

/**
 * Formats a Date (local time) with strftime directives. An unknown directive or a lone
 * trailing `%` throws, rather than passing through the way some C libraries do.
 *
 * @example strftime(new Date(2026, 10, 26, 6, 20, 53), "%Y/%m-%d %H.%M.%S") === "2026/11-26 06.20.53"
 */
export function strftime(date: Date, format: string): string {
  if (Number.isNaN(date.getTime())) throw new TemplateError("the date is invalid (NaN)");
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] as string;
    if (ch !== "%") {
      out += ch;
      continue;
    }
    const key = format[++i];
    const directive = key === undefined ? undefined : DIRECTIVES[key];
    if (directive === undefined) {
      const what = key === undefined ? 'a lone "%" at the end' : `the unsupported directive "%${key}"`;
      throw new TemplateError(`${what} in the date format "${format}" (supported: ${STRFTIME_DIRECTIVES.join(" ")})`);
    }
    out += directive(date);
  }
  return out;
}

/** Python's `str(datetime)`: `YYYY-MM-DD HH:MM:SS` plus `.ffffff` when the microseconds are not zero. */
export function pyDatetimeStr(date: Date): string {
  const base = strftime(date, "%Y-%m-%d %H:%M:%S");
  return date.getMilliseconds() === 0 ? base : `${base}.${strftime(date, "%f")}`;
}
