/**
 * Reading what Python wrote: JSON that may contain the bare tokens `NaN`, `Infinity` and
 * `-Infinity`, and JSONL files whose last line may be torn by a crash.
 */
import { parseTolerantJson } from "./py-json-tolerant.ts";

/**
 * Parses JSON that may contain Python's `NaN` / `Infinity` / `-Infinity` tokens. Integers beyond
 * 2^53 are read as `bigint`s (every digit kept). With `exact` (copies: uploads, rewrites, the
 * server storing a request), numbers our writer would not write back the same (`1.0`, `1e-05`)
 * are kept as `ExactNumber`s, never handed to users.
 */
export function parsePyJson(text: string, exact = false): unknown {
  if (needsExact(text, exact)) return parseTolerantJson(text, exact);
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    return parseTolerantJson(text, exact);
  }
}

/** An integer token of 16 digits or more (maybe beyond 2^53): not a fraction's digits, not a float's integer part. */
const LONG_INT = /(?<![.\d])\d{16,}(?![.\deE])/;
/** A float token our writer would write otherwise: `1.0`, `-0.0`, `1e-05`, `1e+16`. */
const FLOAT_TEXT = /\.0(?!\d)|\d[eE]/;

/** True when `JSON.parse` would lose something of `text` (a false positive only costs speed). */
export function needsExact(text: string, exact: boolean): boolean {
  return LONG_INT.test(text) || (exact && FLOAT_TEXT.test(text));
}

/** The result of reading a JSONL file. */
export interface JsonLines<T> {
  /** Parsed records in file order. */
  records: T[];
  /** Lines that did not parse (a torn last line after a crash counts here). */
  skipped: number;
}

const decoder = new TextDecoder();

/**
 * Parses JSONL bytes or text. A line that does not parse (typically a torn last line after a
 * crash) is skipped and counted; the records around it are kept.
 */
export function parseJsonLines<T = unknown>(input: Uint8Array | string, exact = false): JsonLines<T> {
  const text = typeof input === "string" ? input : decoder.decode(input);
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const nonEmpty = lines.filter((l) => l.trim() !== "");
  if (nonEmpty.length === 0) return { records: [], skipped: 0 };
  // Fast path: one JSON.parse over the whole file, when it would read every number exactly.
  if (!needsExact(text, exact)) {
    try {
      return { records: JSON.parse("[" + nonEmpty.join(",") + "]") as T[], skipped: 0 };
    } catch {
      // fall through to line-by-line (NaN tokens or a torn line)
    }
  }
  const records: T[] = [];
  let skipped = 0;
  for (const line of nonEmpty) {
    try {
      records.push(parsePyJson(line, exact) as T);
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}
