/**
 * The REST calls ML-Dash Python's RemoteClient and CLI make beyond the SDK's write path: metric
 * chunks (ML-Dash keeps a metric as full chunks of 10,000 points plus a buffer of the rest; the
 * CLI downloads chunk by chunk, then `bufferOnly`), a track created without entries, one track
 * entry appended, and a project deleted with everything in it (`ml-dash remove`).
 */
import { Hono } from "hono";
import { streamId } from "../model/batch.ts";
import { normalizeValue, type PlainObject } from "../model/values.ts";
import type { MetricStats, StoredLog } from "../model/backend.ts";
import { decodeTrackBatch, metricName, trackTopic } from "./batches.ts";
import { check, HttpError } from "./http-error.ts";
import { readBody, reply } from "./http-io.ts";
import { experimentOf } from "./lookups.ts";
import { TrackCreateBody, TrackEntryBody } from "./schemas.ts";
import type { LogQuery, RunStore } from "./store/index.ts";
import type { ExperimentRef } from "./store/records.ts";

/** Points in one of ML-Dash's metric chunks. */
export const METRIC_CHUNK = 10_000;

/** Stats with ML-Dash's chunk counts: full chunks of {@link METRIC_CHUNK} points, the rest buffered. */
export function withChunks(stats: MetricStats): MetricStats {
  const total = Number(stats.totalDataPoints);
  const chunks = Math.floor(total / METRIC_CHUNK);
  return { ...stats, totalChunks: chunks, chunkSize: METRIC_CHUNK, chunkedDataPoints: String(chunks * METRIC_CHUNK), bufferedDataPoints: String(total - chunks * METRIC_CHUNK) };
}

/**
 * A page of log lines ordered by their timestamps (`orderBy=timestamp`; lines with equal times
 * keep their sequence order): every match is read, sorted, then paged.
 */
export async function logsByTime(store: RunStore, e: ExperimentRef, query: LogQuery, offset: number, limit: number): Promise<Record<string, unknown>> {
  const r = await store.logs(e, { ...query, order: "asc", offset: 0, limit: undefined });
  const time = (l: StoredLog): number => Date.parse(l.timestamp);
  const sorted = [...r.logs].sort((a, b) => time(a) - time(b));
  if (query.order === "desc") sorted.reverse();
  const logs = sorted.slice(offset, offset + limit);
  return { logs, total: r.matched, offset, limit, hasMore: offset + logs.length < r.matched };
}

/** The routes. */
export function pythonCliRoutes(store: RunStore): Hono {
  const app = new Hono();

  app.get("/experiments/:id/metrics/:name/chunks/:n", async (c) => {
    const e = await experimentOf(store, c.req.param("id"));
    const name = metricName(c.req.param("name"));
    const raw = c.req.param("n");
    const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n)) throw new HttpError(400, `Invalid chunk number ${JSON.stringify(raw)}: expected an integer ≥ 0`, { field: "chunkNumber" });
    const stats = withChunks(await store.metricStats(e, name));
    if (n >= stats.totalChunks) {
      throw new HttpError(404, `Chunk ${n} of metric ${name ?? "None"} not found: it has ${stats.totalChunks} full chunk${stats.totalChunks === 1 ? "" : "s"} of ${METRIC_CHUNK} points (read the rest with GET …/data?bufferOnly=true)`);
    }
    const page = await store.metricPage(e, name, n * METRIC_CHUNK, METRIC_CHUNK);
    return reply(c, { chunkNumber: n, startIndex: n * METRIC_CHUNK, endIndex: n * METRIC_CHUNK + page.data.length - 1, dataCount: page.data.length, data: page.data });
  });

  app.post("/experiments/:id/tracks", async (c) => {
    const e = await experimentOf(store, c.req.param("id"));
    const b = check(TrackCreateBody, await readBody(c, { msgpack: false }), "track");
    const topic = trackTopic(b.topic);
    const info = { description: b.description ?? null, tags: b.tags ?? [], metadata: b.metadata == null ? null : (normalizeValue(b.metadata, "metadata", "body") as PlainObject) };
    await store.append(e, streamId("track", topic), { kind: "track", records: [] }, { info });
    const [stored] = await store.tracks(e, { topic });
    return reply(c, { id: stored?.trackId ?? `local-track-${topic.replaceAll("/", "_")}`, ...info, ...stored, topic, experimentId: e.id });
  });

  app.post("/experiments/:id/tracks/:topic/append", async (c) => {
    const e = await experimentOf(store, c.req.param("id"));
    const topic = trackTopic(c.req.param("topic"));
    const b = check(TrackEntryBody, await readBody(c, { msgpack: false }), "track entry");
    const d = decodeTrackBatch({ entries: [{ ...b.data, timestamp: b.timestamp }] });
    const r = await store.append(e, streamId("track", topic), { kind: "track", records: d.data });
    const entry = d.data[0] as { timestamp: number; data: Record<string, unknown> };
    return reply(c, { topic, timestamp: entry.timestamp, data: entry.data, index: r.first, nextIndex: r.next });
  });

  app.delete("/projects/:id", async (c) => {
    const id = c.req.param("id");
    const p = await store.project(id);
    if (!p) throw new HttpError(404, `Project ${JSON.stringify(id)} not found`);
    const folders = (await store.folders(p.id)).length;
    const r = await store.deleteProject(p.id);
    if (!r) throw new HttpError(404, `Project ${JSON.stringify(id)} not found`);
    return reply(c, { projectId: p.id, deleted: 1 + folders + r.experiments, experiments: r.experiments, message: `Project ${p.path} deleted with ${r.experiments} experiment${r.experiments === 1 ? "" : "s"}` });
  });

  return app;
}
