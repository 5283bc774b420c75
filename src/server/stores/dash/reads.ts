/** The dashboard's reads of the `.dash` store, served from its caches. */
import { paths, runKeys } from "../../../layout/paths.ts";
import type { RunStoreReads } from "../../store/reads.ts";
import { fileBody, listFiles, runFile } from "./run-files.ts";
import { runOverview } from "./run-overview.ts";
import { listRuns } from "./run-summary.ts";
import { querySeries, rowsFromFile } from "./series.ts";
import type { DashState } from "./state.ts";
import { trackSource } from "./tracks.ts";

const decoder = new TextDecoder();

/** The dashboard reads part of the `.dash` store. */
export function dashReads(state: DashState): RunStoreReads {
  const { storage } = state;
  return {
    runs: (options) => listRuns(storage, options),
    overview: (ref, options) => runOverview(state, ref.path, options),
    async series(ref, name) {
      const key = paths.metricData(ref.path, name);
      const cols = await state.metrics.get(key);
      if (!cols) return undefined;
      return { revision: `${cols.bytes}|${cols.rows}`, query: (request) => querySeries(cols, request, rowsFromFile(storage, key, cols)) };
    },
    async track(ref, topic) {
      const s = await state.tracks.get(paths.trackData(ref.path, topic));
      return s ? trackSource(s) : undefined;
    },
    async runFiles(ref) {
      return (await listFiles(storage, ref.path)).map(runFile);
    },
    async openRunFile(ref, id) {
      const f = (await listFiles(storage, ref.path)).find((x) => x.id === id);
      return f && { file: runFile(f), body: await fileBody(storage, f.key) };
    },
    async dashrc(folder) {
      const bytes = await storage.read(paths.dashrc(folder));
      return bytes ? decoder.decode(bytes) : null;
    },
    prewarm(runs) {
      void (async () => {
        for (const dir of runs) {
          const keys = (await storage.list(paths.metricsDir(dir)).catch(() => [])).filter((k) => runKeys.isStreamData(k));
          await state.metrics.warm(keys);
        }
      })().catch(() => undefined);
    },
  };
}
