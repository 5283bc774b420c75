/**
 * `GET /dash/api/runs`, `/run` and `/series`: the tree, one run's overview, and chart series.
 */
import { Hono } from "hono";
import { NotFoundError } from "../errors.ts";
import { trackDirName } from "../layout/paths.ts";
import type { ListRunsOptions, RunStore } from "../server/store/index.ts";
import { parseDashRc } from "./dashrc.ts";
import { etagJson, hash, jsonText, keyParam, nameParam, need, num, runParam } from "./http.ts";

/** Routes for the tree, run overviews and series. */
export function runRoutes(store: RunStore, runOptions: ListRunsOptions, rootLabel?: string): Hono {
  const app = new Hono();

  app.get("/runs", async (c) => {
    const under = c.req.query("under");
    const runs = await store.runs({ ...runOptions, ...(under ? { under: keyParam(c, "under") } : {}) });
    return etagJson(c, hash(jsonText(runs)), () => ({ runs, now: new Date().toISOString(), root: rootLabel ?? null }));
  });

  app.get("/run", async (c) => {
    // `optional=1`: a path that is no run answers `null` (the page probes deep links this way).
    if (c.req.query("optional") === "1" && !(await store.run(keyParam(c, "path")))) return c.json(null);
    const run = await runParam(c, store);
    store.prewarm([run.path]);
    const o = await store.overview(run, runOptions);
    const params = o.params as Record<string, unknown> | undefined;
    const body = {
      summary: o.summary,
      experiment: o.experiment,
      params: params && typeof params["data"] === "object" ? params["data"] : {},
      paramsVersion: typeof params?.["version"] === "number" ? params["version"] : 0,
      metrics: o.metrics,
      tracks: o.tracks.map((t) => ({ ...t, dir: typeof t.topic === "string" ? trackDirName(t.topic) : undefined })),
      dashrc: o.dashrc !== null ? { yaml: o.dashrc, ...parseDashRc(o.dashrc, "experiment") } : null,
      readme: o.readme,
    };
    return etagJson(c, hash(jsonText(body)), () => body);
  });

  app.get("/series", async (c) => {
    const run = await runParam(c, store);
    const metric = nameParam(c, "metric");
    const source = await store.series(run, metric === "None" ? null : metric);
    if (!source) throw new NotFoundError(`Run "${run.path}" has no metric "${metric}"`);
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
    const tag = hash(`${source.revision}|${new URL(c.req.url).search}`);
    return etagJson(c, tag, async () => ({ metric, ...(await source.query(req)) }));
  });

  return app;
}
