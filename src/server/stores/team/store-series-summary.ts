/**
 * A downsampled chart of a big metric from the chunks' summaries, without reading its points:
 * each sealed chunk contributes the rows its summary keeps for the y field (first, last, min,
 * max, first NaN/±Infinity) with their x values, placed in the request's buckets (`k·w` rules of
 * src/server/store/series.ts); the unsealed tail is read and bucketed exactly. A 10M-point
 * series is 1,000 summary rows and at most one chunk of pending points.
 *
 * Each chunk's extremes are drawn (spikes survive); a bucket narrower than a chunk shows the
 * chunk's extremes that fall in it, so the answer says `exact: false`. Zoomed windows are read
 * from the points themselves (store-series.ts).
 */
import { bucketWidth, DEFAULT_X, type SeriesPoints, type SeriesRequest, type SeriesResponse } from "../../store/series.ts";
import { Cell, MetricColumns } from "../dash/metric-columns.ts";
import { scanMetricBytes } from "../dash/metric-scan.ts";
import type { ChunkSummary } from "./chunk-summary.ts";
import { readLines } from "./store-lines.ts";
import type { SeriesRow, TeamState } from "./store-state.ts";

interface ChunkRow {
  first_index: string;
  count: number;
  summary: ChunkSummary;
}

const num = (v: number | string | undefined): number | undefined => (typeof v === "number" ? v : v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : undefined);

/** Rows sealed into chunks and the summaries, in order. */
async function chunkSummaries(state: TeamState, seriesId: string): Promise<ChunkRow[]> {
  return state.run("read chunk summaries", (sql) => sql<ChunkRow[]>`select first_index, count, summary from chunks where series_id = ${seriesId} order by first_index`);
}

/** The series of `req` from summaries (sealed part) and points (pending tail). */
export async function summarySeries(state: TeamState, row: SeriesRow, req: SeriesRequest): Promise<SeriesResponse> {
  const total = Number(row.next_index);
  const chunks = await chunkSummaries(state, row.id);
  const sealed = chunks.length === 0 ? 0 : Number((chunks.at(-1) as ChunkRow).first_index) + (chunks.at(-1) as ChunkRow).count;
  const tail = new MetricColumns();
  for (const part of await readLines(state, row.id, sealed, total)) tail.bytes += scanMetricBytes(tail, part, tail.bytes);
  const names = new Set<string>();
  for (const c of chunks) for (const k of Object.keys(c.summary.fields ?? {})) names.add(k);
  for (const f of tail.fields) names.add(f.name);
  const fields = [...names];
  let xKey = req.x;
  if (xKey === "default") xKey = DEFAULT_X.find((k) => names.has(k)) ?? "index";
  const bins = Math.max(10, Math.min(10_000, Math.floor(req.bins) || 1000));
  const width = bucketWidth(total, bins);
  const incremental = req.since !== undefined && req.bucketWidth === width && req.since <= total;
  const from = incremental ? Math.floor((req.since as number) / width) * width : 0;
  const base = { field: req.y, xKey, total, nextIndex: total, from, reset: !incremental, bucketWidth: width, downsampled: width > 1, window: [0, total] as [number, number], fields, exact: false };
  if (!names.has(req.y) || (xKey !== "index" && !names.has(xKey))) return { ...base, i: [], x: [], y: [], nonFinite: 0, nonNumeric: 0 };
  let nonFinite = 0;
  let nonNumeric = 0;
  // Candidates per bucket: the lowest and highest finite y, and the first gap.
  const buckets = new Map<number, { lo?: [number, number, number]; hi?: [number, number, number]; gap?: [number, number] }>();
  const firstLast: [number, number, number][] = [];
  for (const c of chunks) {
    const f = c.summary.fields?.[req.y];
    if (!f) continue;
    nonFinite += f.nan;
    nonNumeric += f.other ?? 0;
    for (const at of [f.firstAt, f.minAt, f.maxAt, f.lastAt, f.gapAt]) {
      if (at < from || at < 0) continue;
      const r = c.summary.rows?.[String(at)];
      const y = num(r?.[req.y]);
      const x = xKey === "index" ? at : num(r?.[xKey]);
      if (y === undefined || x === undefined || x - x !== 0) continue;
      const k = Math.floor(at / width);
      const b = buckets.get(k) ?? {};
      buckets.set(k, b);
      if (y - y !== 0) {
        if (!b.gap || at < b.gap[0]) b.gap = [at, x];
        continue;
      }
      if (!b.lo || y < b.lo[2]) b.lo = [at, x, y];
      if (!b.hi || y > b.hi[2]) b.hi = [at, x, y];
      if (at === f.firstAt) firstLast.push([at, x, y]);
    }
  }
  // The unsealed tail, every point, into the same buckets (rows are absolute: `sealed + r`).
  let last: [number, number, number] | undefined;
  const yf = tail.get(req.y);
  const xf = xKey === "index" ? null : (tail.get(xKey) ?? null);
  if (yf && (xKey === "index" || xf)) {
    for (let r = 0; r < tail.rows; r++) {
      const at = sealed + r;
      const kind = yf.kinds[r];
      if (kind === Cell.Other) nonNumeric++;
      if (kind !== Cell.Number) continue;
      const y = yf.values[r] as number;
      if (y - y !== 0) nonFinite++;
      if (at < from) continue;
      if (xf && (xf.kinds[r] !== Cell.Number || (xf.values[r] as number) - (xf.values[r] as number) !== 0)) continue;
      const x = xf ? (xf.values[r] as number) : at;
      const k = Math.floor(at / width);
      const b = buckets.get(k) ?? {};
      buckets.set(k, b);
      if (y - y !== 0) {
        if (!b.gap) b.gap = [at, x];
        continue;
      }
      if (!b.lo || y < b.lo[2]) b.lo = [at, x, y];
      if (!b.hi || y > b.hi[2]) b.hi = [at, x, y];
      last = [at, x, y];
    }
  }
  const picks = new Map<number, [number, number, number | null]>();
  for (const b of buckets.values()) {
    if (b.lo) picks.set(b.lo[0], b.lo);
    if (b.hi) picks.set(b.hi[0], b.hi);
    if (b.gap) picks.set(b.gap[0], [b.gap[0], b.gap[1], null]);
  }
  // The window's first and last points are always drawn.
  const first = firstLast.sort((p, q) => p[0] - q[0])[0];
  if (first && first[0] >= from) picks.set(first[0], first);
  if (last) picks.set(last[0], last);
  const out: SeriesPoints = { i: [], x: [], y: [] };
  for (const [i, x, y] of [...picks.values()].sort((p, q) => p[0] - q[0])) {
    out.i.push(i);
    out.x.push(x);
    out.y.push(y);
  }
  return { ...base, ...out, nonFinite, nonNumeric };
}
