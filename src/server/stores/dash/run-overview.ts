/** A run's overview in a `.dash` tree: what the dashboard's run page shows first. */
import { metricNameOfDir, paths, runKeys } from "../../../layout/paths.ts";
import { parseJsonLines } from "../../../layout/py-json-parse.ts";
import type { PlainObject } from "../../../model/values.ts";
import type { ParamsRecord } from "../../store/params.ts";
import { README_BYTES, type ListRunsOptions, type MetricInfo, type RunOverview } from "../../store/runs.ts";
import { Cell } from "./metric-columns.ts";
import { type DocReader, docMemo, runKeysOf, summarize } from "./run-summary.ts";
import type { DashState } from "./state.ts";
import { listTracks } from "./tracks.ts";

const decoder = new TextDecoder();
/** Bytes read from each end of a metric file to learn its fields without scanning it. */
const PEEK = 64 * 1024;

/** The overview of run folder `dir`. */
export async function runOverview(state: DashState, dir: string, options: ListRunsOptions = {}): Promise<RunOverview> {
  const { storage } = state;
  const own = await runKeysOf(storage, dir);
  const metricDirs = own.map((rel) => runKeys.metricMetaDir(rel)).filter((n): n is string => n !== undefined);
  // The parts are independent reads: all at once, so their latency overlaps; a document two
  // parts need (experiment.json, a metric's metadata.json) is read once.
  const readDoc = docMemo(storage);
  const [summary, experiment, params, metrics, tracks, dashrc, readme] = await Promise.all([
    summarize(storage, dir, own, options, readDoc),
    readDoc(paths.experiment(dir)).then((d) => d ?? {}),
    readDoc(paths.parameters(dir)) as Promise<unknown> as Promise<ParamsRecord | undefined>,
    Promise.all(metricDirs.map((name) => metricInfo(state, dir, name, readDoc))),
    listTracks(storage, dir, undefined, own),
    own.includes(runKeys.dashrc) ? storage.read(paths.dashrc(dir)) : null,
    own.includes(runKeys.readme) ? storage.readRange(paths.readme(dir), 0, README_BYTES) : null,
  ]);
  return {
    summary,
    experiment,
    params,
    metrics,
    tracks,
    dashrc: dashrc ? decoder.decode(dashrc) : null,
    readme: readme ? decoder.decode(readme) : null,
  };
}

/** A metric's size and fields: from the cached columns, else from both ends of the file. */
async function metricInfo(state: DashState, dir: string, name: string, readDoc: DocReader): Promise<MetricInfo> {
  const { storage } = state;
  const key = paths.metricData(dir, metricNameOfDir(name));
  const [meta, st] = await Promise.all([readDoc(paths.metricMeta(dir, metricNameOfDir(name))), storage.stat(key)]);
  const cols = state.metrics.peek(key);
  const seen = new Set<string>();
  let last: PlainObject | null = null;
  if (cols) for (const f of cols.fields) if (f.kinds.subarray(0, cols.rows).includes(Cell.Number)) seen.add(f.name);
  if (st) {
    const head = cols ? null : await storage.readRange(key, 0, Math.min(st.size, PEEK));
    const tail = st.size > PEEK || cols ? await storage.readRange(key, Math.max(0, st.size - PEEK), st.size) : null;
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
  return {
    name,
    points: typeof meta?.["totalDataPoints"] === "number" ? meta["totalDataPoints"] : 0,
    fields: [...seen],
    last,
    description: typeof meta?.["description"] === "string" ? meta["description"] : null,
    updatedAt: typeof meta?.["updatedAt"] === "string" ? meta["updatedAt"] : null,
  };
}
