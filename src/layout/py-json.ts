/**
 * JSON exactly as Python's `json.dumps` writes it with default arguments, which is what
 * ML-Dash Python puts in every `.dash` file: `", "` and `": "` separators, `ensure_ascii`
 * (`\uXXXX` for anything beyond ASCII) and the bare tokens `NaN`, `Infinity`, `-Infinity`.
 *
 * Values must already be normalised plain data (see `model/values.ts`). Numbers are written so
 * ML-Dash Python reads back the same value and kind: a safe integer as an int, a `bigint` as its
 * digits (an int of any size), an {@link ExactNumber} as its text, `-0` as `-0.0`, and an
 * integral float beyond 2^53 as Python's repr writes it (`1e+16`, `9007199254740992.0`), which
 * Python reads as the same float, where `String()`'s digits would read as another int.
 */
import { ExactNumber } from "../model/exact.ts";

const NON_ASCII = /[\u0080-\uffff]/g;

function escapeNonAscii(ch: string): string {
  return "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
}

/** A number the way Python writes floats in JSON: bare `NaN` / `Infinity` / `-Infinity` tokens. */
export function pyNumber(n: number): string {
  if (n - n === 0) return decimalString(n);
  return n === n ? (n > 0 ? "Infinity" : "-Infinity") : "NaN";
}

const FRACTION_ZEROS = ["", "0", "00", "000", "0000", "00000"];

/** "0" … "999", and the same zero-padded to three digits ("000" … "999"). */
const SMALL_INTS = Array.from({ length: 1000 }, (_, i) => String(i));
const THREE_DIGITS = SMALL_INTS.map((s) => s.padStart(3, "0"));

/**
 * The digits of a non-negative safe integer, as `String(v)` writes them. `String(v)` puts every
 * new number's text in V8's number-to-string cache, which keeps it alive through the next
 * young-generation GC: encoding a stream of distinct integers (line indexes, steps, timestamp
 * fractions) kept ~0.5 MB alive at every scavenge, which grew the young generation to its
 * maximum. Here only the thousands go through the cache (one new text per 1,000 values).
 */
export function intText(v: number): string {
  if (v < 1000) return SMALL_INTS[v] as string;
  const hi = Math.floor(v / 1000);
  return "" + hi + (THREE_DIGITS[v - hi * 1000] as string);
}

/**
 * `String(v)` for a finite number, faster for numbers on a 10⁻⁶ grid (automatic `_ts` values,
 * accuracies, learning rates): double-to-shortest-string costs ~0.25 µs, integer formatting a
 * fraction of that. When `a = |v| < 4e9` and `a` is the double nearest to `us / 10⁶` for an
 * integer `us`, the decimal `us / 10⁶` round-trips, and no other decimal with as few digits
 * lies within half an ulp of `a` (they differ by ≥ 10⁻⁶ ≫ 2⁻⁵³·a), so it IS the shortest
 * round-trip string that `String(v)` prints: the bytes are identical (property-tested).
 */
export function decimalString(v: number): string {
  if ((v | 0) === v) return v >= 0 ? (v === 0 && 1 / v < 0 ? "-0.0" : intText(v)) : "-" + intText(-v); // int32 (steps, epochs, counts): no grid arithmetic needed
  const a = v < 0 ? -v : v;
  if (a >= 1e-6 && a < 4e9) {
    const us = Math.round(a * 1e6);
    if (us / 1e6 === a) {
      const int = Math.floor(us / 1e6);
      let frac = us - int * 1e6;
      let out = v < 0 ? "-" + int : "" + int;
      if (frac !== 0) {
        let digits = 6;
        while (frac % 10 === 0) {
          frac /= 10;
          digits--;
        }
        const f = intText(frac);
        out += "." + (FRACTION_ZEROS[digits - f.length] as string) + f;
      }
      return out;
    }
  }
  if (a >= 9007199254740992) return bigFloat(v, a);
  // The same text as String(v), without V8's number-to-string cache: every fresh double put in
  // it stays alive through the next young-generation GC, and with a stream of distinct values
  // (losses) that made encoder threads spend ~15% more CPU, mostly in GC (measured, 4M points).
  return JSON.stringify(v);
}

/** Python's repr of an integral float beyond 2^53: `9007199254740992.0` below 1e16, `1.152921504606847e+18` from there. */
function bigFloat(v: number, a: number): string {
  return a < 1e16 ? String(v) + ".0" : v.toExponential();
}

/** A string literal with Python's `ensure_ascii=True` escaping. */
export function pyString(s: string): string {
  const quoted = JSON.stringify(s);
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return quoted.replace(NON_ASCII, escapeNonAscii);
  }
  return quoted;
}

const keyCache = new Map<string, string>();

/** `"key": ` for an object key, cached because metric and track keys repeat on every record. */
export function pyKey(k: string): string {
  let q = keyCache.get(k);
  if (q === undefined) {
    q = pyString(k) + ": ";
    if (keyCache.size > 50_000) keyCache.clear();
    keyCache.set(k, q);
  }
  return q;
}

/** Serialises a normalised value as Python's `json.dumps(value)` would. */
export function pyJson(value: unknown): string {
  switch (typeof value) {
    case "number":
      return pyNumber(value);
    case "string":
      return pyString(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "object": {
      if (value === null) return "null";
      if (value instanceof ExactNumber) return value.text;
      if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        let out = "[" + pyJson(value[0]);
        for (let i = 1; i < value.length; i++) out += ", " + pyJson(value[i]);
        return out + "]";
      }
      return pyObject(value as Record<string, unknown>);
    }
    default:
      // undefined and other non-data never reach here after normalisation; write null like JSON.stringify in arrays
      return "null";
  }
}

/** Serialises a plain object; keys whose value is `undefined` are skipped. */
export function pyObject(obj: Record<string, unknown>): string {
  let out = "{";
  let first = true;
  for (const k in obj) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? "" : ", ") + pyKey(k) + (typeof v === "number" ? pyNumber(v) : pyJson(v));
    first = false;
  }
  return out + "}";
}
