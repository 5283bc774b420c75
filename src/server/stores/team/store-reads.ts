/** The dashboard's reads of the team store: run summaries and overviews from rows, series and tracks from the records. */
import { parsePyJson } from "../../../layout/py-json-parse.ts";
import type { PlainObject } from "../../../model/values.ts";
import { streamId } from "../../../model/batch.ts";
import type { FileBody, RunFile, RunStoreReads } from "../../store/reads.ts";
import type { ExperimentRef } from "../../store/records.ts";
import { inferStatus, type ListRunsOptions, type MetricInfo, type RunOverview, type RunSummary } from "../../store/runs.ts";
import { sampleTrack, trackEntryAt } from "../dash/tracks.ts";
import { fileRow, type FileRow } from "./store-files.ts";
import { experimentRecord } from "./store-nodes.ts";
import { ColumnsCache, seriesSource } from "./store-series.ts";
import { teamParams, trackInfo, trackRecords } from "./store-streams.ts";
import { experimentRow, iso, refOf, type ExperimentRow, type SeriesRow, type TeamState } from "./store-state.ts";

interface SeriesBrief {
  experiment_id: string;
  kind: string;
  name: string;
  next_index: string;
  updated_at: Date;
}

/** Summaries of the experiment rows given (with their series and live file counts). */
async function summaries(state: TeamState, rows: readonly ExperimentRow[], options: ListRunsOptions): Promise<RunSummary[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const series = await state.run("summarise runs", (sql) => sql<SeriesBrief[]>`select experiment_id, kind, name, next_index, updated_at from series where experiment_id = any(${sql.array(ids, 20)})`);
  const files = await state.run("summarise runs", (sql) => sql<{ experiment_id: string; n: number }[]>`select experiment_id, count(*)::int as n from files where deleted_at is null and experiment_id = any(${sql.array(ids, 20)}) group by experiment_id`);
  const now = (options.now ?? Date.now)();
  return rows.map((e) => {
    const metrics: Record<string, number> = {};
    let logs = 0;
    let tracks = 0;
    let lastWrite = e.updated_at.getTime();
    for (const s of series) {
      if (s.experiment_id !== e.id) continue;
      if (s.kind === "metric") metrics[s.name === "" ? "None" : s.name] = Number(s.next_index);
      else if (s.kind === "log") logs = Number(s.next_index);
      else tracks++;
      lastWrite = Math.max(lastWrite, s.updated_at.getTime());
    }
    const parts = e.path.split("/");
    return {
      path: e.path,
      owner: parts[0] as string,
      project: parts[1] as string,
      folder: parts.slice(2, -1).join("/"),
      name: parts[parts.length - 1] as string,
      ...inferStatus(e.status, lastWrite, { ...options, now: () => now }),
      description: e.description,
      tags: e.tags,
      createdAt: iso(e.created_at),
      lastWriteAt: new Date(lastWrite).toISOString(),
      metrics,
      points: Object.values(metrics).reduce((a, b) => a + b, 0),
      logs,
      tracks,
      files: files.find((f) => f.experiment_id === e.id)?.n ?? 0,
      hasDashrc: false,
      hasReadme: false,
    };
  });
}

/** `experiment.json` as ML-Dash Python writes it (snake_case), with the id. */
function experimentDoc(e: ExperimentRow): PlainObject {
  return {
    name: e.name,
    project: e.path.split("/")[1] ?? null,
    description: e.description,
    tags: e.tags,
    bindrs: e.bindrs,
    prefix: e.path,
    metadata: (e.metadata ?? null) as PlainObject | null,
    created_at: iso(e.created_at),
    write_protected: e.write_protected,
    updated_at: iso(e.updated_at),
    status: e.status,
    id: e.id,
  };
}

function metricInfo(row: SeriesRow): MetricInfo {
  let last: PlainObject | null = null;
  try {
    last = row.last_data === null ? null : (parsePyJson(row.last_data) as PlainObject);
  } catch {
    last = null;
  }
  return { name: row.name === "" ? "None" : row.name, points: Number(row.next_index), fields: row.fields, last, description: row.description, updatedAt: iso(row.updated_at) };
}

function runFileOf(row: FileRow): RunFile {
  const dir = row.path;
  return {
    id: row.id,
    dir,
    filename: row.filename,
    relPath: `${dir.replace(/^\/+|\/+$/g, "")}/${row.filename}`.replace(/^\//, ""),
    sizeBytes: Number(row.size_bytes),
    contentType: row.content_type ?? "application/octet-stream",
    checksum: row.sha256,
    uploadedAt: iso(row.created_at),
    description: row.description,
    tags: row.tags,
    source: "saved",
  };
}

/** The dashboard reads part of the team store. */
export function teamReads(state: TeamState): RunStoreReads {
  const columns = new ColumnsCache();
  const params = teamParams(state);
  const runs = async (options: ListRunsOptions = {}): Promise<RunSummary[]> => {
    const under = (options.under ?? "").replace(/\/+$/, "");
    const rows = await state.run("list runs", (sql) =>
      under === ""
        ? sql<ExperimentRow[]>`select * from experiments order by path`
        : sql<ExperimentRow[]>`select * from experiments where path = ${under} or left(path, ${under.length + 1}) = ${under + "/"} order by path`,
    );
    return summaries(state, rows, options);
  };
  return {
    runs,
    async overview(ref: ExperimentRef, options: ListRunsOptions = {}): Promise<RunOverview> {
      const row = await experimentRow(state, ref);
      const [summary] = await summaries(state, [row], options);
      const all = await state.allSeries(ref);
      return {
        summary: summary as RunSummary,
        experiment: experimentDoc(row),
        params: await params.params(ref),
        metrics: all.filter((s) => s.kind === "metric").map(metricInfo),
        tracks: all.filter((s) => s.kind === "track").map(trackInfo),
        dashrc: null,
        readme: null,
      };
    },
    async series(ref, name) {
      const row = await state.series(ref, streamId("metric", name));
      return row && seriesSource(state, columns, row);
    },
    async track(ref, topic) {
      const row = await state.series(ref, streamId("track", topic));
      if (!row) return undefined;
      let loaded: ReturnType<typeof trackRecords> | undefined;
      const records = (): ReturnType<typeof trackRecords> => (loaded ??= trackRecords(state, row));
      return {
        revision: `${row.id}|${row.next_index}`,
        sample: async (limit) => sampleTrack({ records: await records(), bytes: 0, version: 0 }, limit),
        at: async (t) => trackEntryAt(await records(), t),
      };
    },
    async runFiles(ref) {
      const rows = await state.run("list files", (sql) => sql<FileRow[]>`select * from files where experiment_id = ${ref.id} and deleted_at is null order by created_at desc, id desc`);
      return rows.map(runFileOf);
    },
    async openRunFile(ref, id) {
      const row = await fileRow(state, ref, id);
      if (!row) return undefined;
      const size = Number(row.size_bytes);
      const body: FileBody = {
        size,
        modifiedMs: row.updated_at.getTime(),
        stream: async () => (await state.s3.get(row.object_key)).body,
        range: (start, end) => (end <= start ? Promise.resolve(new Uint8Array(0)) : state.s3.getRange(row.object_key, start, end - start)),
      };
      return { file: runFileOf(row), body };
    },
    async dashrc() {
      return null;
    },
    prewarm() {},
  };
}

export { refOf, experimentRecord };
