/** Streams and parameters of the team store: appends (store-append.ts), pages, stats, tracks and logs. */
import { NotFoundError } from "../../../errors.ts";
import { pyJson } from "../../../layout/py-json.ts";
import { parseJsonLines, parsePyJson } from "../../../layout/py-json-parse.ts";
import type { MetricPage, MetricStats, MetricSummary, StoredLog, TrackRecord } from "../../../model/backend.ts";
import { streamId } from "../../../model/batch.ts";
import type { PlainValue } from "../../../model/values.ts";
import type { ParamsRecord, RunStoreParams } from "../../store/params.ts";
import type { ExperimentRef } from "../../store/records.ts";
import type { RunStoreStreams, TrackInfo } from "../../store/streams.ts";
import { queryLogs } from "../dash/logs.ts";
import { appendBatch } from "./store-append.ts";
import { readLines } from "./store-lines.ts";
import { concatBytes } from "../../../internal/bytes.ts";
import { iso, streamOf, type SeriesRow, type TeamState } from "./store-state.ts";

/** Every record of a series, parsed. */
export async function allRecords<T>(state: TeamState, row: SeriesRow): Promise<T[]> {
  const parts = await readLines(state, row.id, 0, Number(row.next_index));
  return parts.length === 0 ? [] : parseJsonLines<T>(concatBytes(parts)).records;
}

function metricId(row: SeriesRow): string {
  return `local-metric-${row.name === "" ? "None" : row.name}`;
}

/** A track series' description, as ML-Dash keeps it. */
export function trackInfo(row: SeriesRow): TrackInfo {
  const info: Record<string, PlainValue> = {
    trackId: `local-track-${row.name.replaceAll("/", "_")}`,
    topic: row.name,
    columns: row.fields,
    totalEntries: Number(row.next_index),
    firstTimestamp: row.first_ts,
    lastTimestamp: row.last_ts,
    createdAt: iso(row.created_at) as string,
  };
  if (row.description !== null) info["description"] = row.description;
  if (row.tags.length > 0) info["tags"] = row.tags;
  if (row.metadata !== null) info["metadata"] = row.metadata as PlainValue;
  return info as unknown as TrackInfo;
}

/** Track entries sorted by time (stable), as the dashboard reads them. */
export async function trackRecords(state: TeamState, row: SeriesRow): Promise<TrackRecord[]> {
  const all = await allRecords<TrackRecord>(state, row);
  return all.map((r, i) => [r, i] as const).sort((a, b) => a[0].timestamp - b[0].timestamp || a[1] - b[1]).map(([r]) => r);
}

/** The streams part of the team store. */
export function teamStreams(state: TeamState): RunStoreStreams {
  const metric = async (ref: ExperimentRef, name: string | null): Promise<SeriesRow | undefined> => state.series(ref, streamId("metric", name));
  return {
    append: (ref, stream, data, options) => appendBatch(state, ref, stream, data, options),
    async streams(ref) {
      return (await state.allSeries(ref)).map((r) => ({ stream: streamOf(r), next: Number(r.next_index) }));
    },
    async writerStreams(ref, writer) {
      const rows = await state.run("read writer positions", (sql) =>
        sql<{ kind: SeriesRow["kind"]; name: string; next_index: string }[]>`select s.kind, s.name, w.next_index from writer_positions w
          join series s on s.id = w.series_id where s.experiment_id = ${ref.id} and w.writer = ${writer}`,
      );
      return rows.map((r) => ({ stream: streamOf(r), next: Number(r.next_index) }));
    },
    async metricPage(ref, name, startIndex, limit) {
      const row = await metric(ref, name);
      const next = row ? Number(row.next_index) : 0;
      const end = Math.min(next, startIndex + Math.max(0, limit));
      const parts = row && end > startIndex ? await readLines(state, row.id, startIndex, end) : [];
      const data = parts.length === 0 ? [] : parseJsonLines<MetricPage["data"][number]>(concatBytes(parts)).records;
      return { data, startIndex, endIndex: startIndex + data.length - 1, total: data.length, hasMore: startIndex + data.length < next };
    },
    async metricStats(ref, name) {
      const row = await metric(ref, name);
      if (!row) throw new NotFoundError(`Metric ${JSON.stringify(name ?? "None")} not found in ${ref.path}; log to it first`);
      const [c] = await state.run("read chunks", (sql) => sql<{ chunks: number; points: string }[]>`select count(*)::int as chunks, coalesce(sum(count), 0) as points from chunks where series_id = ${row.id}`);
      const total = Number(row.next_index);
      const chunked = Number(c?.points ?? 0);
      const stats: MetricStats = {
        metricId: metricId(row),
        name: row.name === "" ? null : row.name,
        description: row.description,
        tags: row.tags,
        metadata: (row.metadata ?? null) as MetricStats["metadata"],
        totalDataPoints: String(total),
        bufferedDataPoints: String(total - chunked),
        chunkedDataPoints: String(chunked),
        totalChunks: c?.chunks ?? 0,
        chunkSize: state.chunkSize,
        firstDataAt: iso(row.created_at),
        lastDataAt: iso(row.updated_at),
        createdAt: iso(row.created_at) as string,
        updatedAt: iso(row.updated_at) as string,
      };
      return stats;
    },
    async metrics(ref) {
      return (await state.allSeries(ref, "metric")).map(
        (row): MetricSummary => ({ metricId: metricId(row), name: row.name === "" ? null : row.name, description: row.description, tags: row.tags, totalDataPoints: row.next_index, createdAt: iso(row.created_at) as string }),
      );
    },
    async trackEntries(ref, topic, options) {
      const row = await state.series(ref, streamId("track", topic));
      if (!row) return [];
      const { start, end, columns } = options;
      const out: TrackRecord[] = [];
      for (const rec of await allRecords<TrackRecord>(state, row)) {
        const ts = rec.timestamp;
        if (typeof ts !== "number" || (start !== undefined && ts < start) || (end !== undefined && ts > end)) continue;
        if (!columns) {
          out.push(rec);
          continue;
        }
        const picked: TrackRecord = { timestamp: ts };
        for (const c of columns) if (c in rec) picked[c] = rec[c] as TrackRecord[string];
        out.push(picked);
      }
      return out;
    },
    async tracks(ref, options = {}) {
      const rows = await state.allSeries(ref, "track");
      return rows.filter((r) => options.topic === undefined || r.name === options.topic).map(trackInfo);
    },
    async logs(ref, query) {
      const row = await state.series(ref, streamId("log", null));
      const records = row ? await allRecords<StoredLog>(state, row) : [];
      return queryLogs(row ? { records, bytes: Number(row.next_index), version: 0 } : null, query);
    },
  };
}

interface ParamsRow {
  version: number;
  doc: string | null;
  data: Record<string, PlainValue>;
  created_at: Date;
}

function paramsRecord(row: ParamsRow, first: Date | undefined): ParamsRecord {
  const data = (row.doc === null ? row.data : parsePyJson(row.doc)) as Record<string, PlainValue>;
  const at = iso(row.created_at) as string;
  return row.version === 1 ? { version: 1, data, createdAt: iso(first ?? row.created_at) as string, updatedAt: at } : { version: row.version, data, updatedAt: at };
}

/** jsonb has no NaN/±Infinity: the queryable copy spells them as strings (`doc` keeps them exactly). */
function jsonSafe(data: Readonly<Record<string, PlainValue>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(data, (_k, v: unknown) => (typeof v === "number" && v - v !== 0 ? String(v) : v))) as Record<string, unknown>;
}

/** The parameters part of the team store: every version a full flat snapshot, the highest current. */
export function teamParams(state: TeamState): RunStoreParams {
  return {
    async params(ref) {
      const [row] = await state.run("read params", (sql) => sql<ParamsRow[]>`select version, doc, data, created_at from params where experiment_id = ${ref.id} order by version desc limit 1`);
      return row && paramsRecord(row, undefined);
    },
    async mergeParams(ref, changed, options = {}) {
      return state.run("write params", (sql) =>
        sql.begin(async (tx) => {
          // The experiment row orders writers on every node.
          const [exp] = await tx`select id from experiments where id = ${ref.id} for update`;
          if (!exp) throw new NotFoundError(`Experiment ${JSON.stringify(ref.id)} not found`);
          const [old] = await tx<ParamsRow[]>`select version, doc, data, created_at from params where experiment_id = ${ref.id} order by version desc limit 1`;
          const oldData = old ? paramsRecord(old, undefined).data : {};
          const oldVersion = old?.version ?? 0;
          const data = { ...oldData, ...changed };
          // A replay of a version already stored merges (idempotent) without counting a new version.
          const version = options.version !== undefined && options.version <= oldVersion ? oldVersion : Math.max(oldVersion + 1, options.version ?? 0);
          // An upload's copy keeps when this version was written (its updatedAt), else now.
          const at = options.updatedAt ?? options.createdAt ?? null;
          const [row] = await tx<ParamsRow[]>`insert into params (experiment_id, version, data, doc, created_at)
            values (${ref.id}, ${version}, ${tx.json(jsonSafe(data) as never)}, ${pyJson(data)}, coalesce(${at}::timestamptz, now()))
            on conflict (experiment_id, version) do update set data = excluded.data, doc = excluded.doc returning version, doc, data, created_at`;
          return paramsRecord(row as ParamsRow, undefined);
        }),
      );
    },
  };
}
