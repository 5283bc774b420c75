/**
 * The data of an experiment: logs, parameters, metrics and tracks (the REST calls ML-Dash
 * Python's client makes), appended exactly once per record when a batch says where it starts
 * (`RunStore.append`), and read back in ML-Dash's shapes.
 */
import { ExactNumber } from "../model/exact.ts";
import { Hono, type Context } from "hono";
import { flattenInto } from "../model/flatten.ts";
import { normalizeValue, type PlainObject, type PlainValue } from "../model/values.ts";
import { streamId } from "../model/batch.ts";
import { claimedStart, claimedWriter, decodeLogBatch, decodeMetricBatch, decodeTrackBatch, metricName, trackTopic } from "./batches.ts";
import { check, HttpError } from "./http-error.ts";
import { intQuery, numQuery, readBody, reply } from "./http-io.ts";
import { experimentOf } from "./lookups.ts";
import type { RunStore } from "./store/index.ts";
import type { ExperimentRef } from "./store/records.ts";
import { MetricPointBody, ParamsBody } from "./schemas.ts";
import { globMatch, hasWildcards } from "../files/glob.ts";
import { logsByTime, withChunks } from "./routes-python-cli.ts";
import { trackMcap, trackParquet } from "./track-export.ts";
import { plainNumbers } from "../model/exact.ts";

const encoder = new TextEncoder();

/** Options of the data routes. */
export interface DataRouteOptions {
  /** Accept msgpack metric and track batches (default true; false answers 415 like a JSON-only server). */
  readonly msgpack: boolean;
}


function idem(c: Context): string | undefined {
  return c.req.header("idempotency-key");
}

/** How a batch is appended: where it starts and who wrote it (both from the body or the `Idempotency-Key`). */
function placed(c: Context, e: ExperimentRef, streamKey: string, bodyStart: number | undefined): { start: number | undefined; writer: string | undefined; idempotencyKey: string | undefined } {
  const key = idem(c);
  return { start: claimedStart(bodyStart, key), writer: claimedWriter(key, streamKey, e.id), idempotencyKey: key };
}

/** The data routes. */
export function dataRoutes(store: RunStore, options: DataRouteOptions): Hono {
  const app = new Hono();
  const exp = (c: Context): Promise<ExperimentRef> => experimentOf(store, c.req.param("id") as string);

  // ---- durability: what was acknowledged survives a power loss once this is answered
  app.post("/experiments/:id/sync", async (c) => {
    const e = await exp(c);
    await store.sync();
    return reply(c, { experimentId: e.id, synced: true });
  });

  // ---- logs
  app.post("/experiments/:id/logs", async (c) => {
    const e = await exp(c);
    const d = decodeLogBatch(await readBody(c, { msgpack: true }));
    const r = await store.append(e, streamId("log", null), { kind: "log", records: d.data }, placed(c, e, "log", d.startIndex));
    return reply(c, { created: r.count, skipped: r.skipped, startSequence: r.first, endSequence: r.first + r.count - 1, nextIndex: r.writerNext ?? r.next, experimentId: e.id });
  });

  app.get("/experiments/:id/logs", async (c) => {
    const e = await exp(c);
    const offset = intQuery(c, "offset", 0);
    const limit = intQuery(c, "limit", 1000, 10_000);
    const orderBy = c.req.query("orderBy") || "sequenceNumber";
    if (orderBy !== "sequenceNumber" && orderBy !== "timestamp") throw new HttpError(400, `Invalid query parameter "orderBy": use sequenceNumber or timestamp, got ${JSON.stringify(orderBy)}`, { field: "orderBy" });
    const query = {
      fromSequence: intQuery(c, "startSequence", 0),
      levels: c.req.query("level")?.split(",").filter(Boolean),
      search: c.req.query("search"),
      from: c.req.query("startTime") || undefined,
      to: c.req.query("endTime") || undefined,
      order: c.req.query("order") === "desc" ? ("desc" as const) : ("asc" as const),
    };
    if (orderBy === "timestamp") return reply(c, await logsByTime(store, e, query, offset, limit));
    const r = await store.logs(e, { ...query, offset, limit });
    return reply(c, { logs: r.logs, total: r.matched, offset, limit, hasMore: offset + r.logs.length < r.matched });
  });

  // ---- parameters (merged, as ML-Dash does)
  app.post("/experiments/:id/parameters", async (c) => {
    const e = await exp(c);
    const b = check(ParamsBody, await readBody(c, { msgpack: true }), "parameters");
    const flat: Record<string, PlainValue> = {};
    for (const [k, val] of Object.entries(b.data)) {
      const n = normalizeValue(val, `data.${k}`, "body");
      if (n !== null && typeof n === "object" && !Array.isArray(n) && !(n instanceof ExactNumber)) flattenInto(flat, n, k);
      else flat[k] = n;
    }
    const result = await store.mergeParams(e, flat, { version: b.version, createdAt: b.createdAt, updatedAt: b.updatedAt });
    return reply(c, { id: e.id, experimentId: e.id, ...result });
  });

  app.get("/experiments/:id/parameters", async (c) => {
    const e = await exp(c);
    const doc = await store.params(e);
    if (!doc) throw new HttpError(404, `No parameters stored for experiment ${e.id}`);
    return reply(c, { id: e.id, experimentId: e.id, ...doc });
  });

  // ---- metrics
  app.post("/experiments/:id/metrics/:name/append-batch", async (c) => {
    const e = await exp(c);
    const name = metricName(c.req.param("name"));
    const d = decodeMetricBatch(await readBody(c, { msgpack: options.msgpack }));
    const stream = streamId("metric", name);
    const r = await store.append(e, stream, { kind: "metric", blocks: d.data }, { ...placed(c, e, stream.key, d.startIndex), info: d.info, createdAt: d.createdAt });
    return reply(c, {
      metricId: `local-metric-${name ?? "None"}`,
      startIndex: String(r.first),
      endIndex: String(r.first + r.count - 1),
      count: r.count,
      skipped: r.skipped,
      nextIndex: r.writerNext ?? r.next,
      bufferedDataPoints: String(r.next),
      chunkSize: 10000,
    });
  });

  app.post("/experiments/:id/metrics/:name/append", async (c) => {
    const e = await exp(c);
    const name = metricName(c.req.param("name"));
    const b = check(MetricPointBody, await readBody(c, { msgpack: true }), "metric point");
    const row = normalizeValue(b.data, "data", "body") as PlainObject;
    const d = decodeMetricBatch({ dataPoints: [row], description: b.description, tags: b.tags, metadata: b.metadata });
    const stream = streamId("metric", name);
    const r = await store.append(e, stream, { kind: "metric", blocks: d.data }, { ...placed(c, e, stream.key, undefined), info: d.info });
    return reply(c, { metricId: `local-metric-${name ?? "None"}`, index: String(r.first), nextIndex: r.writerNext ?? r.next, bufferedDataPoints: String(r.next), chunkSize: 10000 });
  });

  app.get("/experiments/:id/metrics/:name/data", async (c) => {
    const e = await exp(c);
    const name = metricName(c.req.param("name"));
    let start = intQuery(c, "startIndex", 0);
    // bufferOnly: the points past the last full chunk (what the CLI reads after the chunks).
    if (c.req.query("bufferOnly") === "true") start = Math.max(start, Number(withChunks(await store.metricStats(e, name)).chunkedDataPoints));
    return reply(c, await store.metricPage(e, name, start, intQuery(c, "limit", 1000, 10_000) || 1));
  });

  app.get("/experiments/:id/metrics/:name/stats", async (c) => {
    const e = await exp(c);
    return reply(c, withChunks(await store.metricStats(e, metricName(c.req.param("name")))));
  });

  app.get("/experiments/:id/metrics", async (c) => {
    const e = await exp(c);
    return reply(c, { metrics: await store.metrics(e) });
  });

  // ---- tracks
  app.post("/experiments/:id/tracks/:topic/append_batch", async (c) => {
    const e = await exp(c);
    const topic = trackTopic(c.req.param("topic"));
    const d = decodeTrackBatch(await readBody(c, { msgpack: options.msgpack }));
    const stream = streamId("track", topic);
    const r = await store.append(e, stream, { kind: "track", records: d.data }, { ...placed(c, e, stream.key, d.startIndex), info: d.info });
    return reply(c, { trackId: `local-track-${topic.replaceAll("/", "_")}`, topic, startIndex: r.first, count: r.count, skipped: r.skipped, nextIndex: r.writerNext ?? r.next });
  });

  app.get("/experiments/:id/tracks/:topic/data", async (c) => {
    const e = await exp(c);
    const topic = trackTopic(c.req.param("topic"));
    const format = c.req.query("format") ?? "json";
    if (!["json", "jsonl", "parquet", "mcap"].includes(format)) throw new HttpError(400, `Unsupported format ${JSON.stringify(format)}: use json, jsonl, parquet or mcap`, { field: "format" });
    const columns = c.req.query("columns")?.split(",").filter(Boolean);
    const entries = await store.trackEntries(e, topic, { start: numQuery(c, "start_timestamp"), end: numQuery(c, "end_timestamp"), columns });
    // Parquet and MCAP hold doubles: numbers kept as their Python text become plain numbers here.
    if (format === "parquet") return new Response(trackParquet(plainNumbers(entries)) as BodyInit, { headers: { "content-type": "application/vnd.apache.parquet" } });
    if (format === "mcap") return new Response((await trackMcap(topic, plainNumbers(entries))) as BodyInit, { headers: { "content-type": "application/x-mcap" } });
    if (format === "jsonl") {
      return new Response(encoder.encode(entries.map((x) => JSON.stringify(x)).join("\n")) as BodyInit, { headers: { "content-type": "application/x-ndjson" } });
    }
    return reply(c, { entries, count: entries.length });
  });

  app.get("/experiments/:id/tracks", async (c) => {
    const e = await exp(c);
    const topic = c.req.query("topic") || undefined;
    // A pattern (`robot/*`, as `ml-dash list --tracks --topic-filter` sends) filters every track.
    if (topic !== undefined && hasWildcards(topic)) return reply(c, { tracks: (await store.tracks(e)).filter((t) => globMatch(topic, t.topic)) });
    return reply(c, { tracks: await store.tracks(e, { topic }) });
  });

  return app;
}
