/**
 * The data of an experiment: logs, parameters, metrics and tracks (the REST calls ML-Dash Python's client makes), written
 * exactly once per record (see `append.ts`) and read back in ML-Dash's shapes.
 */
import { Hono, type Context } from "hono";
import { flattenInto } from "../internal/flatten.ts";
import { isPlainObject, normalizeValue, type PlainObject, type PlainValue } from "../model/values.ts";
import { paths } from "../layout/paths.ts";
import { parseJsonLines } from "../layout/py-json-parse.ts";
import type { StoredLog } from "../model/backend.ts";
import { streamId } from "../model/batch.ts";
import { appendOnce, claimedStart } from "./append.ts";
import { decodeLogBatch, decodeMetricBatch, decodeTrackBatch, metricName, trackTopic } from "./batches.ts";
import { check, HttpError } from "./http-error.ts";
import { intQuery, numQuery, readBody, reply } from "./http-io.ts";
import type { Registry } from "./registry.ts";
import { MetricPointBody, ParamsBody } from "./schemas.ts";
import { readJsonDoc } from "../layout/json-doc.ts";

const encoder = new TextEncoder();

/** Options of the data routes. */
export interface DataRouteOptions {
  /** Accept msgpack metric and track batches (default true; false answers 415 like a JSON-only server). */
  readonly msgpack: boolean;
}


function idem(c: Context): string | undefined {
  return c.req.header("idempotency-key");
}

/** The data routes. */
export function dataRoutes(reg: Registry, options: DataRouteOptions): Hono {
  const app = new Hono();
  const exp = (c: Context): ReturnType<Registry["experiment"]> => reg.experiment(c.req.param("id") as string);

  // ---- logs
  app.post("/experiments/:id/logs", async (c) => {
    const e = await exp(c);
    const d = decodeLogBatch(await readBody(c, { msgpack: true }));
    const r = await appendOnce(reg, e, streamId("log", null), d, { kind: "log", records: d.data }, claimedStart(d.startIndex, idem(c)), undefined);
    return reply(c, { created: r.count, skipped: r.skipped, startSequence: r.first, endSequence: r.first + r.count - 1, nextIndex: r.next, experimentId: e.id });
  });

  app.get("/experiments/:id/logs", async (c) => {
    const e = await exp(c);
    const bytes = await reg.storage.read(paths.logs(e.path));
    let logs = bytes ? parseJsonLines<StoredLog>(bytes).records : [];
    const fromSeq = intQuery(c, "startSequence", 0);
    const levels = c.req.query("level")?.split(",").filter(Boolean);
    const search = c.req.query("search")?.toLowerCase();
    const startTime = c.req.query("startTime");
    const endTime = c.req.query("endTime");
    logs = logs.filter(
      (l) =>
        l.sequenceNumber >= fromSeq &&
        (!levels || levels.includes(l.level)) &&
        (!search || l.message.toLowerCase().includes(search)) &&
        (!startTime || l.timestamp >= startTime) &&
        (!endTime || l.timestamp <= endTime),
    );
    if (c.req.query("order") === "desc") logs.reverse();
    const offset = intQuery(c, "offset", 0);
    const limit = intQuery(c, "limit", 1000, 10_000);
    const page = logs.slice(offset, offset + limit);
    return reply(c, { logs: page, total: logs.length, offset, limit, hasMore: offset + page.length < logs.length });
  });

  // ---- parameters (merged, as ML-Dash does)
  app.post("/experiments/:id/parameters", async (c) => {
    const e = await exp(c);
    const b = check(ParamsBody, await readBody(c, { msgpack: true }), "parameters");
    const flat: Record<string, PlainValue> = {};
    for (const [k, val] of Object.entries(b.data)) {
      const n = normalizeValue(val, `data.${k}`, "body");
      if (n !== null && typeof n === "object" && !Array.isArray(n)) flattenInto(flat, n, k);
      else flat[k] = n;
    }
    const result = await reg.locks.run(`params:${e.path}`, async () => {
      const old = await readJsonDoc(reg.storage, paths.parameters(e.path));
      const oldData = isPlainObject(old?.["data"]) ? (old["data"] as Record<string, PlainValue>) : {};
      const oldVersion = typeof old?.["version"] === "number" ? (old["version"] as number) : 0;
      const data = { ...oldData, ...flat };
      // A replay of a version already stored merges (idempotent) without counting a new version.
      const version = b.version !== undefined && b.version <= oldVersion ? oldVersion : Math.max(oldVersion + 1, b.version ?? 0);
      await e.backend.writeParams({ version, data, changed: flat });
      return (await readJsonDoc(reg.storage, paths.parameters(e.path))) ?? { version, data };
    });
    return reply(c, { id: e.id, experimentId: e.id, ...result });
  });

  app.get("/experiments/:id/parameters", async (c) => {
    const e = await exp(c);
    const doc = await readJsonDoc(reg.storage, paths.parameters(e.path));
    if (!doc) throw new HttpError(404, `No parameters stored for experiment ${e.id}`);
    return reply(c, { id: e.id, experimentId: e.id, ...doc });
  });

  // ---- metrics
  app.post("/experiments/:id/metrics/:name/append-batch", async (c) => {
    const e = await exp(c);
    const name = metricName(c.req.param("name"));
    const d = decodeMetricBatch(await readBody(c, { msgpack: options.msgpack }));
    const stream = streamId("metric", name);
    const r = await appendOnce(reg, e, stream, d, { kind: "metric", blocks: d.data }, claimedStart(d.startIndex, idem(c)), d.info);
    return reply(c, {
      metricId: `local-metric-${name ?? "None"}`,
      startIndex: String(r.first),
      endIndex: String(r.first + r.count - 1),
      count: r.count,
      skipped: r.skipped,
      nextIndex: r.next,
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
    const r = await appendOnce(reg, e, streamId("metric", name), d, { kind: "metric", blocks: d.data }, claimedStart(undefined, idem(c)), d.info);
    return reply(c, { metricId: `local-metric-${name ?? "None"}`, index: String(r.first), nextIndex: r.next, bufferedDataPoints: String(r.next), chunkSize: 10000 });
  });

  app.get("/experiments/:id/metrics/:name/data", async (c) => {
    const e = await exp(c);
    const name = metricName(c.req.param("name"));
    return reply(c, await e.reader.readMetric(name, intQuery(c, "startIndex", 0), intQuery(c, "limit", 1000, 10_000) || 1));
  });

  app.get("/experiments/:id/metrics/:name/stats", async (c) => {
    const e = await exp(c);
    return reply(c, await e.reader.metricStats(metricName(c.req.param("name"))));
  });

  app.get("/experiments/:id/metrics", async (c) => {
    const e = await exp(c);
    return reply(c, { metrics: await e.reader.listMetrics() });
  });

  // ---- tracks
  app.post("/experiments/:id/tracks/:topic/append_batch", async (c) => {
    const e = await exp(c);
    const topic = trackTopic(c.req.param("topic"));
    const d = decodeTrackBatch(await readBody(c, { msgpack: options.msgpack }));
    const r = await appendOnce(reg, e, streamId("track", topic), d, { kind: "track", records: d.data }, claimedStart(d.startIndex, idem(c)), d.info);
    return reply(c, { trackId: `local-track-${topic.replaceAll("/", "_")}`, topic, startIndex: r.first, count: r.count, skipped: r.skipped, nextIndex: r.next });
  });

  app.get("/experiments/:id/tracks/:topic/data", async (c) => {
    const e = await exp(c);
    const topic = trackTopic(c.req.param("topic"));
    const format = c.req.query("format") ?? "json";
    if (format !== "json" && format !== "jsonl") throw new HttpError(400, `Unsupported format ${JSON.stringify(format)}: use json or jsonl`, { field: "format" });
    const columns = c.req.query("columns")?.split(",").filter(Boolean);
    const entries = await e.reader.readTrack(topic, { start: numQuery(c, "start_timestamp"), end: numQuery(c, "end_timestamp"), columns });
    if (format === "jsonl") {
      return new Response(encoder.encode(entries.map((x) => JSON.stringify(x)).join("\n")) as BodyInit, { headers: { "content-type": "application/x-ndjson" } });
    }
    return reply(c, { entries, count: entries.length });
  });

  app.get("/experiments/:id/tracks", async (c) => {
    const e = await exp(c);
    const filter = c.req.query("topic");
    const keys = await reg.storage.list(paths.tracksDir(e.path));
    const tracks: Record<string, unknown>[] = [];
    for (const key of keys) {
      if (!key.endsWith("/metadata.json")) continue;
      const meta = await readJsonDoc(reg.storage, key);
      if (!meta || (filter && meta["topic"] !== filter)) continue;
      tracks.push(meta);
    }
    return reply(c, { tracks });
  });

  return app;
}
