/**
 * Chart series of the team store. Each node keeps the columns of the metrics it was asked about
 * (records are immutable by index on every node, so a node only reads what it has not seen:
 * `[rows, next_index)`), and answers with the `.dash` store's bucket rules (shared code).
 */
import type { SeriesSource } from "../../store/series.ts";
import { MetricColumns } from "../dash/metric-columns.ts";
import { scanMetricBytes } from "../dash/metric-scan.ts";
import { querySeries } from "../dash/series.ts";
import { readLines } from "./store-lines.ts";
import { summarySeries } from "./store-series-summary.ts";
import type { SeriesRow, TeamState } from "./store-state.ts";

/** Records read per request to S3/PostgreSQL while extending columns. */
const STEP = 200_000;
/**
 * A whole-series chart needing more unread records than this (50 chunks) is drawn from the chunks'
 * summaries (store-series-summary.ts) instead of reading them; zooms read the records.
 */
export const SUMMARY_ROWS = 500_000;

interface Entry {
  cols: MetricColumns;
  pending: Promise<MetricColumns> | undefined;
}

/** Columns of metrics, per series id, extended on demand; the least recently used go beyond `max`. */
export class ColumnsCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = 64) {}

  /** Rows of `seriesId` already held (0 when none). */
  rows(seriesId: string): number {
    return this.entries.get(seriesId)?.cols.rows ?? 0;
  }

  /** The columns of `row` holding at least its `next_index` rows. */
  async get(state: TeamState, row: SeriesRow): Promise<MetricColumns> {
    let e = this.entries.get(row.id);
    if (e) this.entries.delete(row.id);
    e ??= { cols: new MetricColumns(), pending: undefined };
    this.entries.set(row.id, e);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    const target = Number(row.next_index);
    for (;;) {
      if (e.pending) await e.pending;
      if (e.cols.rows >= target) return e.cols;
      const entry = e;
      entry.pending = extend(state, row.id, entry.cols, target).finally(() => {
        entry.pending = undefined;
      });
    }
  }
}

async function extend(state: TeamState, seriesId: string, cols: MetricColumns, target: number): Promise<MetricColumns> {
  cols.reserve(target);
  while (cols.rows < target) {
    const to = Math.min(target, cols.rows + STEP);
    const parts = await readLines(state, seriesId, cols.rows, to);
    const before = cols.rows;
    for (const p of parts) cols.bytes += scanMetricBytes(cols, p, cols.bytes);
    if (cols.rows === before) break; // nothing readable (cannot happen with dense series)
  }
  return cols;
}

/** A metric series as a {@link SeriesSource}. */
export function seriesSource(state: TeamState, cache: ColumnsCache, row: SeriesRow): SeriesSource {
  return {
    revision: `${row.id}|${row.next_index}`,
    query: async (request) => {
      const zoomed = request.xmin !== undefined || request.xmax !== undefined;
      if (!zoomed && Number(row.next_index) - cache.rows(row.id) > SUMMARY_ROWS) return summarySeries(state, row, request);
      // Values are parsed exactly (every float64), so a point-for-point series needs no re-read.
      return querySeries(await cache.get(state, row), request, "columns");
    },
  };
}

