/**
 * One chart series over a metric's scanned columns: `metric.field` against an x key, downsampled
 * or raw, whole or a zoomed window, from scratch or incrementally (`since`). The request and
 * answer are the store interface's (`src/server/store/series.ts`); `downsample.ts` computes buckets.
 */
import type { StorageAdapter } from "../../../storage/contract.ts";
import { AUTO_X, bucketWidth, DEFAULT_X, type SeriesPoints, type SeriesRequest, type SeriesResponse } from "../../store/series.ts";
import { countUndrawable, minMaxBuckets, windowRows } from "./downsample.ts";
import { BLOCK_ROWS, summaryOf } from "./bucket-summary.ts";
import { Cell, type FieldColumn, type MetricColumns } from "./metric-columns.ts";
import { readRawRows } from "./raw-rows.ts";

/** Raw windows up to this many rows are re-read exactly from the file. */
const EXACT_ROWS = 20_000;

/** Resolves `default` (and `auto`, which skips the timestamp) to the first x field present, else `index`. */
export function resolveX(cols: MetricColumns, x: string): string {
  if (x !== "default" && x !== "auto") return x;
  for (const k of x === "auto" ? AUTO_X : DEFAULT_X) if (cols.get(k)) return k;
  return "index";
}

/**
 * Where a series drawn point for point (one row per bucket) gets exact values: `"columns"` when
 * the columns hold every value exactly (the team store parses float64 exactly), or a reader of
 * rows `[from, end)` from the file (the `.dash` store), `null` when they no longer match.
 */
export type ExactRows = "columns" | ((from: number, end: number, y: string, xKey: string) => Promise<SeriesPoints | null>);

/** Computes a series over up-to-date columns; both stores answer with it. */
export async function querySeries(cols: MetricColumns, req: SeriesRequest, exactRows: ExactRows): Promise<SeriesResponse> {
  const xKey = resolveX(cols, req.x);
  const xf = xKey === "index" ? null : (cols.get(xKey) ?? null);
  const yf: FieldColumn | undefined = cols.get(req.y);
  const fields = cols.fields.map((f) => f.name);
  const zoomed = req.xmin !== undefined || req.xmax !== undefined;
  const [start, end] = xKey !== "index" && !xf ? [0, 0] : windowRows(cols, xf, req.xmin, req.xmax);
  const bins = Math.max(10, Math.min(10_000, Math.floor(req.bins) || 1000));
  const width = bucketWidth(end - start, bins);
  const incremental = !zoomed && req.since !== undefined && req.bucketWidth === width && req.since <= end;
  const from = incremental ? Math.max(start, Math.floor((req.since as number) / width) * width) : start;
  const base = { field: req.y, xKey, total: cols.rows, nextIndex: cols.rows, from, reset: !incremental, bucketWidth: width, downsampled: width > 1, window: [start, end] as [number, number], fields };
  if (!yf) return { ...base, i: [], x: [], y: [], exact: true, nonFinite: 0, nonNumeric: 0 };
  // Wide buckets come from the per-64-row summary of this (y, x) pair (built once, then extended).
  const summary = width >= BLOCK_ROWS ? summaryOf(cols, yf, xf) : undefined;
  const { nonFinite, nonNumeric } = countUndrawable(yf, start, end, summary);
  if (width === 1 && exactRows !== "columns" && end - from <= EXACT_ROWS) {
    const pts = await exactRows(from, end, req.y, xKey);
    if (pts) return { ...base, ...pts, exact: true, nonFinite, nonNumeric };
  }
  const exact = width === 1 && exactRows === "columns";
  return { ...base, ...minMaxBuckets(yf, xf, { start, end, from, width }, summary), exact, nonFinite, nonNumeric };
}

/** Rows summarised between two turns of the event loop while warming (a few ms each). */
const WARM_SLICE = 1 << 20;

/**
 * Builds, in the background, the summaries a run page asks for first: every numeric field against
 * the x it charts by default. A 10M-point metric's first chart then combines 156k entries
 * instead of scanning 10M rows while its page waits. Series shorter than this scan in a few ms.
 */
export async function warmSummaries(cols: MetricColumns): Promise<void> {
  if (cols.rows < WARM_SLICE) return;
  const xKey = resolveX(cols, "auto");
  const xf = xKey === "index" ? null : (cols.get(xKey) ?? null);
  for (const yf of cols.fields) {
    if (yf === xf || (DEFAULT_X as readonly string[]).includes(yf.name) || !isNumeric(yf, cols.rows)) continue;
    for (let upTo = WARM_SLICE; ; upTo += WARM_SLICE) {
      summaryOf(cols, yf, xf, upTo);
      if (upTo >= cols.rows) break;
      await new Promise((ok) => setTimeout(ok, 0));
    }
  }
}

/** The `.dash` store's {@link ExactRows}: rows re-read from the metric's file `key`. */
export function rowsFromFile(storage: StorageAdapter, key: string, cols: MetricColumns): ExactRows {
  return (from, end, y, xKey) => exactPoints(storage, key, cols, from, end, y, xKey);
}

/** Raw points of rows `[from, end)` read exactly; `null` when a line no longer matches the columns. */
async function exactPoints(storage: StorageAdapter, key: string, cols: MetricColumns, from: number, end: number, y: string, xKey: string): Promise<SeriesPoints | null> {
  const rows = await readRawRows(storage, key, cols, from, end);
  if (rows.length !== end - from) return null;
  const out: SeriesPoints = { i: [], x: [], y: [] };
  rows.forEach((d, k) => {
    if (!d) return;
    const v = d[y];
    if (typeof v !== "number") return;
    const r = from + k;
    let xv = r;
    if (xKey !== "index") {
      const raw = d[xKey];
      if (typeof raw !== "number" || raw - raw !== 0) return;
      xv = raw;
    }
    out.i.push(r);
    out.x.push(xv);
    out.y.push(v - v === 0 ? v : null);
  });
  return out;
}

/** Row values of several fields for a CSV export of rows `[start, end)`, exactly as written. */
export async function exportRows(storage: StorageAdapter, key: string, cols: MetricColumns, start: number, end: number, fields: readonly string[]): Promise<string[][]> {
  const rows = await readRawRows(storage, key, cols, start, end);
  return rows.map((d, k) => [String(start + k), ...fields.map((f) => cell(d?.[f]))]);
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** True when some row of `f` holds a number (a chartable field). */
export function isNumeric(f: FieldColumn, rows: number): boolean {
  for (let r = 0; r < rows; r++) if (f.kinds[r] === Cell.Number) return true;
  return false;
}
