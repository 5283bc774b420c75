/**
 * `GET /dash/api/table?under=…`: one row per run below a folder for the runs table of a sweep —
 * its summary (status, tags, times), its parameters, and for every chartable `metric.field` the
 * last value and the minimum and maximum over all points (from 10 min/max buckets, so a
 * million-point metric costs what its cached summary costs).
 */
import { Hono } from "hono";
import type { ListRunsOptions, RunStore, RunSummary } from "../server/store/index.ts";
import { mapLimit } from "../internal/map-limit.ts";
import { etagJson, hash, jsonText, keyParam } from "./http.ts";

/** Rows built at once: their reads overlap, and other requests' reads still get a turn. */
const PARALLEL_ROWS = 16;

/** Fields that are axes, not metrics of their own. */
const AXES = new Set(["step", "epoch", "_ts", "timestamp"]);

/** Last, minimum and maximum of one `metric.field` (`null` where no finite value exists). */
export interface MetricStat {
  last: number | null;
  min: number | null;
  max: number | null;
}

/** A row of the runs table. */
export interface TableRow {
  summary: RunSummary;
  params: Record<string, unknown>;
  /** By `metric.field` (`field` alone for the unnamed metric). */
  metrics: Record<string, MetricStat>;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Rows kept for runs unchanged since (a reload, another folder's table, a poll after one run wrote). */
const CACHED_ROWS = 10_000;

/** Routes for the runs table. */
export function tableRoutes(store: RunStore, runOptions: ListRunsOptions): Hono {
  const app = new Hono();
  // By run path: the row and the summary it was built for. A run's summary changes with every
  // write to it (its last write time, point counts, status), so an equal summary means an
  // unchanged row: only the runs written since are read again.
  const cache = new Map<string, { summary: string; row: Promise<TableRow | null> }>();
  const cachedRow = (r: RunSummary): Promise<TableRow | null> => {
    const summary = jsonText(r);
    const hit = cache.get(r.path);
    if (hit && hit.summary === summary) return hit.row;
    const made = row(store, r, runOptions);
    cache.delete(r.path);
    cache.set(r.path, { summary, row: made });
    made.catch(() => cache.delete(r.path));
    if (cache.size > CACHED_ROWS) cache.delete(cache.keys().next().value as string);
    return made;
  };
  app.get("/table", async (c) => {
    const under = c.req.query("under") ? keyParam(c, "under") : undefined;
    const runs = await store.runs({ ...runOptions, ...(under ? { under } : {}) });
    return etagJson(c, hash(`table|${jsonText(runs)}`), async () => {
      const rows = await mapLimit(runs, PARALLEL_ROWS, cachedRow);
      return { rows: rows.filter((x): x is TableRow => x !== null) };
    });
  });
  return app;
}

async function row(store: RunStore, summary: RunSummary, runOptions: ListRunsOptions): Promise<TableRow | null> {
  const ref = await store.run(summary.path);
  if (!ref) return null;
  const o = await store.overview(ref, runOptions);
  const p = o.params as Record<string, unknown> | undefined;
  const params = p && typeof p["data"] === "object" && p["data"] !== null ? (p["data"] as Record<string, unknown>) : {};
  const metrics: Record<string, MetricStat> = {};
  for (const m of o.metrics) {
    const source = await store.series(ref, m.name === "None" ? null : m.name);
    for (const f of m.fields) {
      if (AXES.has(f)) continue;
      let min: number | null = null;
      let max: number | null = null;
      if (source) {
        const s = await source.query({ y: f, x: "index", bins: 10 });
        for (const v of s.y) {
          if (!finite(v)) continue;
          if (min === null || v < min) min = v;
          if (max === null || v > max) max = v;
        }
      }
      const last = m.last?.[f];
      metrics[m.name === "None" ? f : `${m.name}.${f}`] = { last: finite(last) ? last : null, min, max };
    }
  }
  return { summary, params, metrics };
}
