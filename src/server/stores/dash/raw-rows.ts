/**
 * Exact reads of a window of metric lines, located through the byte offsets the column scan
 * remembered: a zoomed chart, a CSV export or a small series gets the values exactly as written
 * (the column scan may be an ulp off on 17-digit numbers).
 */
import type { PlainObject } from "../../../model/values.ts";
import { parsePyJson } from "../../../layout/py-json-parse.ts";
import type { StorageAdapter } from "../../../storage/contract.ts";
import { type MetricColumns, OFFSET_STRIDE } from "./metric-columns.ts";

const decoder = new TextDecoder();

/** The `data` objects of rows `[start, end)` (`null` for a line that is not a record). */
export async function readRawRows(storage: StorageAdapter, key: string, cols: MetricColumns, start: number, end: number): Promise<(PlainObject | null)[]> {
  const stop = Math.min(end, cols.rows);
  if (start >= stop) return [];
  const block = Math.floor(start / OFFSET_STRIDE);
  const from = cols.offsets[block] ?? 0;
  const after = Math.ceil(stop / OFFSET_STRIDE);
  const to = cols.offsets[after] ?? cols.bytes;
  const bytes = await storage.readRange(key, from, to);
  if (!bytes) return [];
  const text = decoder.decode(bytes);
  const out: (PlainObject | null)[] = [];
  let pos = 0;
  let row = block * OFFSET_STRIDE;
  while (row < stop && pos < text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    if (row >= start) out.push(parseData(text.slice(pos, nl)));
    pos = nl + 1;
    row++;
  }
  return out;
}

function parseData(line: string): PlainObject | null {
  try {
    const rec = parsePyJson(line) as { data?: unknown } | null;
    const d = rec?.data;
    return d !== null && typeof d === "object" && !Array.isArray(d) ? (d as PlainObject) : null;
  } catch {
    return null;
  }
}
