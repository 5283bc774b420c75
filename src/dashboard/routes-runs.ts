/**
 * `GET /dash/api/runs`, `/run` and `/series`: the tree, one run's overview, and chart series.
 */
import { Hono } from "hono";
import { NotFoundError } from "../errors.ts";
import { parseJsonLines } from "../layout/py-json-parse.ts";
import { paths } from "../layout/paths.ts";
import type { PlainObject } from "../model/values.ts";
import type { DashContext } from "./context.ts";
import { parseDashRc } from "./dashrc.ts";
import { etagJson, hash, keyParam, nameParam, need, num, runParam } from "./http.ts";
import { listRuns, readJsonDoc, summarize } from "./runs.ts";
import { querySeries } from "./series.ts";
import { Cell } from "./metric-columns.ts";

const decoder = new TextDecoder();
/** Bytes read from each end of a metric file to learn its fields without scanning it. */
const PEEK = 64 * 1024;

/** A metric as the run overview lists it. */
export interface MetricInfo {
  name: string;
  points: number;
  /** Fields holding numbers somewhere (chartable), in first-seen order. */
  fields: string[];
  /** The last point's data (the header row of a `.dashrc`). */
  last: PlainObject | null;
  description: string | null;
  updatedAt: string | null;
}

/** Routes for the tree, run overviews and series. */
export function runRoutes(ctx: DashContext): Hono {
  const app = new Hono();

  app.get("/runs", async (c) => {
    const under = c.req.query("under");
    const runs = await listRuns(ctx.storage, { ...ctx.runOptions, ...(under ? { under: keyParam(c, "under") } : {}) });
    return etagJson(c, hash(JSON.stringify(runs)), () => ({ runs, now: new Date().toISOString() }));
  });

  app.get("/run", async (c) => {
    // `optional=1`: a path that is no run answers `null` (the page probes deep links this way).
    if (c.req.query("optional") === "1" && !(await ctx.storage.stat(`${keyParam(c, "path")}/experiment.json`))) return c.json(null);
    const dir = await runParam(c, ctx.storage);
    ctx.metrics.prewarm(dir);
    const own = (await ctx.storage.list(dir)).map((k) => k.slice(dir.length + 1));
    const summary = await summarize(ctx.storage, dir, own, ctx.runOptions);
    const experiment = (await readJsonDoc(ctx.storage, paths.experiment(dir))) ?? {};
    const params = await readJsonDoc(ctx.storage, paths.parameters(dir));
    const metrics: MetricInfo[] = [];
    for (const rel of own) {
      const m = /^metrics\/([^/]+)\/metadata\.json$/.exec(rel);
      if (m) metrics.push(await metricInfo(ctx, dir, m[1] as string));
    }
    const tracks: PlainObject[] = [];
    for (const rel of own) {
      if (!/^tracks\/[^/]+\/metadata\.json$/.test(rel)) continue;
      const meta = await readJsonDoc(ctx.storage, `${dir}/${rel}`);
      if (meta) tracks.push({ ...meta, dir: rel.split("/")[1] as string });
    }
    const dashrcText = own.includes(".dashrc") ? await ctx.storage.read(`${dir}/.dashrc`) : null;
    const readme = own.includes("README.md") ? await ctx.storage.readRange(`${dir}/README.md`, 0, 64 * 1024) : null;
    const body = {
      summary,
      experiment,
      params: params && typeof params["data"] === "object" ? params["data"] : {},
      paramsVersion: typeof params?.["version"] === "number" ? params["version"] : 0,
      metrics,
      tracks,
      dashrc: dashrcText ? { yaml: decoder.decode(dashrcText), ...parseDashRc(decoder.decode(dashrcText), "experiment") } : null,
      readme: readme ? decoder.decode(readme) : null,
    };
    return etagJson(c, hash(JSON.stringify(body)), () => body);
  });

  app.get("/series", async (c) => {
    const dir = await runParam(c, ctx.storage);
    const metric = nameParam(c, "metric");
    const key = paths.metricData(dir, metric === "None" ? null : metric);
    const cols = await ctx.metrics.get(key);
    if (!cols) throw new NotFoundError(`Run "${dir}" has no metric "${metric}"`);
    const q = c.req.query();
    const req = {
      y: need(c, "y"),
      x: q["x"] || "default",
      bins: num(c, "bins") ?? 1000,
      xmin: num(c, "xmin"),
      xmax: num(c, "xmax"),
      since: num(c, "since"),
      bucketWidth: num(c, "bw"),
    };
    const tag = hash(`${cols.bytes}|${cols.rows}|${new URL(c.req.url).search}`);
    return etagJson(c, tag, async () => ({ metric, ...(await querySeries(ctx.storage, key, cols, req)) }));
  });

  return app;
}

/** A metric's size and fields: from the cached columns, else from both ends of the file. */
async function metricInfo(ctx: DashContext, dir: string, name: string): Promise<MetricInfo> {
  const meta = await readJsonDoc(ctx.storage, `${dir}/metrics/${name}/metadata.json`);
  const key = `${dir}/metrics/${name}/data.jsonl`;
  const cols = ctx.metrics.peek(key);
  const seen = new Set<string>();
  let last: PlainObject | null = null;
  if (cols) for (const f of cols.fields) if (f.kinds.subarray(0, cols.rows).includes(Cell.Number)) seen.add(f.name);
  const st = await ctx.storage.stat(key);
  if (st) {
    const head = cols ? null : await ctx.storage.readRange(key, 0, Math.min(st.size, PEEK));
    const tail = st.size > PEEK || cols ? await ctx.storage.readRange(key, Math.max(0, st.size - PEEK), st.size) : null;
    for (const chunk of [head, tail]) {
      if (!chunk) continue;
      // Drop the partial lines at the cut ends.
      const lines = decoder.decode(chunk).split("\n").slice(chunk === tail && st.size > PEEK ? 1 : 0, -1);
      for (const rec of parseJsonLines<{ data?: PlainObject }>(lines.join("\n")).records) {
        if (!rec.data) continue;
        for (const [k, v] of Object.entries(rec.data)) if (typeof v === "number") seen.add(k);
        last = rec.data;
      }
    }
  }
  const fields = [...seen];
  return {
    name,
    points: typeof meta?.["totalDataPoints"] === "number" ? meta["totalDataPoints"] : 0,
    fields,
    last,
    description: typeof meta?.["description"] === "string" ? meta["description"] : null,
    updatedAt: typeof meta?.["updatedAt"] === "string" ? meta["updatedAt"] : null,
  };
}
