/**
 * What a sealed chunk's row records besides where it is: the SHA-256 of its lines, and its
 * summary — per numeric field of a metric the extremes with their indices, first, last and
 * counts, plus the values of the rows those point at (what a downsampled chart draws without
 * reading the chunk); for a track, its time range.
 *
 * A metric's summary comes from columns: scanned from the lines (the seal of rows cut from
 * several batches), or, when the append has the batch's column blocks in hand, copied from
 * them, which gives the same columns without parsing a line (a property test holds the two
 * equal). Either way one function summarizes the columns.
 */
import { sha256Hex } from "../../../files/sha256.ts";
import { parseJsonLines } from "../../../layout/py-json-parse.ts";
import type { BatchData, StreamKind } from "../../../model/batch.ts";
import { Cell, MetricColumns } from "../dash/metric-columns.ts";
import { scanMetricBytes } from "../dash/metric-scan.ts";

/** Per numeric field of a metric chunk: extremes (with their indices), first, last, counts. */
export interface FieldSummary {
  min: number;
  minAt: number;
  max: number;
  maxAt: number;
  first: number;
  firstAt: number;
  last: number;
  lastAt: number;
  /** Finite values. */
  count: number;
  /** NaN / ±Infinity values (first one's index in `gapAt`). */
  nan: number;
  gapAt: number;
  /** Values that are no number (strings, lists…). */
  other: number;
}

/** A chunk's summary (the `chunks.summary` column). */
export interface ChunkSummary {
  /** Per field: extremes (with their indices), first, last, counts. */
  fields: Record<string, FieldSummary>;
  /**
   * Every numeric value of the rows some field's summary points at (first, last, min, max, first
   * gap), by index: what a downsampled chart draws for the chunk, whatever its x field. jsonb has
   * no NaN/±Infinity: those are the strings "NaN", "Infinity", "-Infinity".
   */
  rows: Record<string, Record<string, number | string>>;
}

/** A chunk's summary: per numeric field for metrics, the time range for tracks. */
export function summarize(kind: StreamKind, lines: Uint8Array, first: number): { summary: ChunkSummary; tsMin: number | null; tsMax: number | null } {
  const summary: ChunkSummary = { fields: {}, rows: {} };
  let tsMin: number | null = null;
  let tsMax: number | null = null;
  if (kind === "log") return { summary, tsMin, tsMax };
  if (kind === "track") {
    for (const rec of parseJsonLines<Record<string, unknown>>(lines).records) {
      const t = rec["timestamp"];
      if (typeof t !== "number") continue;
      if (tsMin === null || t < tsMin) tsMin = t;
      if (tsMax === null || t > tsMax) tsMax = t;
    }
    return { summary, tsMin, tsMax };
  }
  // Metric lines through the .dash store's byte scanner (several times faster than JSON.parse).
  const cols = new MetricColumns();
  scanMetricBytes(cols, lines, 0);
  return summarizeColumns(cols, first);
}

/**
 * The columns of a metric batch whose blocks are all column blocks (numbers only), as scanning
 * its lines would give them: each block's keys then `_ts`, fields in order of first appearance,
 * absent cells missing. `undefined` when a block holds row objects (their values may be of any
 * kind: the lines are scanned instead).
 */
export function columnsOfBlocks(data: Extract<BatchData, { kind: "metric" }>): MetricColumns | undefined {
  let rows = 0;
  for (const b of data.blocks) {
    if (b.kind !== "cols") return undefined;
    rows += b.length;
  }
  const cols = new MetricColumns();
  cols.reserve(rows, true);
  let at = 0;
  for (const b of data.blocks) {
    if (b.kind !== "cols") return undefined;
    const names = [...b.keys, "_ts"];
    const columns = [...b.cols, b.ts];
    for (let j = 0; j < names.length; j++) {
      const f = cols.field(names[j] as string);
      f.values.set((columns[j] as Float64Array).subarray(0, b.length), at);
      f.kinds.fill(Cell.Number, at, at + b.length);
    }
    at += b.length;
  }
  cols.rows = rows;
  return cols;
}

/** The summary of metric columns whose row 0 is record `first`. */
export function summarizeColumns(cols: MetricColumns, first: number): { summary: ChunkSummary; tsMin: null; tsMax: null } {
  const fields: Record<string, FieldSummary> = {};
  const summary: ChunkSummary = { fields, rows: {} };
  const field = (name: string): FieldSummary =>
    (fields[name] ??= { min: Infinity, minAt: -1, max: -Infinity, maxAt: -1, first: NaN, firstAt: -1, last: NaN, lastAt: -1, count: 0, nan: 0, gapAt: -1, other: 0 });
  for (const c of cols.fields) {
    const f = field(c.name);
    for (let r = 0; r < cols.rows; r++) {
      const kind = c.kinds[r];
      if (kind === Cell.Other) f.other++;
      if (kind !== Cell.Number) continue;
      const v = c.values[r] as number;
      const i = first + r;
      if (v - v !== 0) {
        f.nan++;
        if (f.gapAt < 0) f.gapAt = i;
        continue;
      }
      f.count++;
      if (f.firstAt < 0) [f.first, f.firstAt] = [v, i];
      [f.last, f.lastAt] = [v, i];
      if (v < f.min) [f.min, f.minAt] = [v, i];
      if (v > f.max) [f.max, f.maxAt] = [v, i];
    }
  }
  const picked = new Set<number>();
  for (const f of Object.values(fields)) for (const at of [f.firstAt, f.minAt, f.maxAt, f.lastAt, f.gapAt]) if (at >= 0) picked.add(at);
  for (const at of picked) {
    const row: Record<string, number | string> = {};
    for (const c of cols.fields) {
      if (c.kinds[at - first] !== Cell.Number) continue;
      const v = c.values[at - first] as number;
      row[c.name] = v - v === 0 ? v : String(v);
    }
    summary.rows[String(at)] = row;
  }
  // jsonb has no NaN/Infinity: a field with no finite value keeps only its counts.
  for (const f of Object.values(fields)) {
    if (f.count === 0) [f.min, f.max, f.first, f.last] = [0, 0, 0, 0];
  }
  return { summary, tsMin: null, tsMax: null };
}

/** What a chunk's row records besides where it is: the digest of its lines, its summary and time range. */
export interface ChunkFacts extends ReturnType<typeof summarize> {
  /** SHA-256 (hex) of the chunk's decompressed lines. */
  sha256: string;
}

/**
 * The facts of a chunk from its lines (numbered from `first`); `data`, the records the lines
 * encode when the caller has them, spares parsing the lines for the summary; `digest` is the
 * store's SHA-256 (hex).
 */
export async function chunkFacts(kind: StreamKind, lines: Uint8Array, first: number, data?: BatchData, digest: (bytes: Uint8Array) => Promise<string> = sha256Hex): Promise<ChunkFacts> {
  const cols = data?.kind === "metric" ? columnsOfBlocks(data) : undefined;
  return { sha256: await digest(lines), ...(cols ? summarizeColumns(cols, first) : summarize(kind, lines, first)) };
}
