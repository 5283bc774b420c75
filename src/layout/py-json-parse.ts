/**
 * Reading what Python wrote: JSON that may contain the bare tokens `NaN`, `Infinity` and
 * `-Infinity`, and JSONL files whose last line may be torn by a crash.
 */
import { parseTolerantJson } from "./py-json-tolerant.ts";

/** Parses JSON that may contain Python's `NaN` / `Infinity` / `-Infinity` tokens. */
export function parsePyJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    return parseTolerantJson(text);
  }
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
export function parseJsonLines<T = unknown>(input: Uint8Array | string): JsonLines<T> {
  const text = typeof input === "string" ? input : decoder.decode(input);
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const nonEmpty = lines.filter((l) => l.trim() !== "");
  if (nonEmpty.length === 0) return { records: [], skipped: 0 };
  // Fast path: one JSON.parse over the whole file.
  try {
    return { records: JSON.parse("[" + nonEmpty.join(",") + "]") as T[], skipped: 0 };
  } catch {
    // fall through to line-by-line (NaN tokens or a torn line)
  }
  const records: T[] = [];
  let skipped = 0;
  for (const line of nonEmpty) {
    try {
      records.push(parsePyJson(line) as T);
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}
