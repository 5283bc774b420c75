/**
 * The wire format of batches, shared by the SDK (which encodes) and `ml-dash/server` (which
 * decodes; see `src/server/batches.ts`).
 *
 * Every batch names its position in its stream, so a server can tell a retry from new data, in
 * the header `Idempotency-Key: <writer>:<stream key>:<first>` (`writer-id.ts`; the experiment id
 * for a client that numbers by the server's positions). JSON bodies are exactly Python's (no
 * position in them: a server that ignores the header appends them as it appends Python's);
 * msgpack bodies, sent only to an ml-dash server, also carry `startIndex`.
 *
 * - Metrics, JSON (Python's shape): `{"dataPoints": [{"loss": 0.5, "_ts": 1.5}, …]}`.
 *   JSON has no NaN or ±Infinity: those values travel as `null`. Exact numbers (a `bigint`, a
 *   float kept as written like `1.0`) travel as their text in JSON and as msgpack extension
 *   type 1 (`exact-codec.ts`).
 * - Metrics, msgpack (`Content-Type: application/msgpack`): `{startIndex, count, blocks: [block…]}`
 *   where a block is `{keys: string[], cols: bin[], ts: bin, length}` (one little-endian float64
 *   column per key, 8 bytes per value, NaN and ±Infinity kept) or `{rows: object[]}`.
 * - Tracks: `{"entries": [{"timestamp": t, …data}]}` (msgpack: with `startIndex`).
 * - Logs (JSON): `{"logs": [{"timestamp", "level", "message", "metadata"?}]}`.
 *
 * Optional `description`, `tags` and `metadata` describe a metric or track when it is created.
 * A metric batch copied from a store (`ml-dash upload`) also carries `createdAt`: `[count, iso]`
 * runs, the times its points were first stored, which the server keeps in its lines.
 */
import type { MetricBlock } from "../model/metric-block.ts";
import { isoMicros } from "../internal/clock.ts";
import type { Batch, LogRecord, StreamInfo, TrackEntry } from "../model/batch.ts";

/** The msgpack media type we send; the server also accepts `application/x-msgpack` and `application/vnd.msgpack`. */
export const MSGPACK = "application/msgpack";
/** The JSON media type. */
export const JSON_TYPE = "application/json";

/** Batch encodings: msgpack (compact, keeps NaN) or JSON (what the hosted ML-Dash API speaks). */
export type { WireFormat } from "../model/options.ts";
import { routes, target, UNNAMED_METRIC, type RouteTarget } from "./routes.ts";
import type { WireFormat } from "../model/options.ts";
import { exactEncoder, exactJson } from "./exact-codec.ts";
import { decimalString } from "../layout/py-json.ts";
import { ExactNumber } from "../model/exact.ts";

/** An encoded request body. */
export interface EncodedBody {
  readonly body: Uint8Array;
  readonly contentType: string;
}

const utf8 = new TextEncoder();
const packer = exactEncoder();

/** True on little-endian hosts (every platform JavaScript runs on in practice). */
export const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The bytes of a float64 column in little-endian order (a view, no copy, on little-endian hosts). */
export function f64Bytes(col: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(col.buffer, col.byteOffset, col.byteLength);
  const out = new Uint8Array(col.length * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < col.length; i++) dv.setFloat64(i * 8, col[i] as number, true);
  return out;
}

/** A float64 column from little-endian bytes (a view when aligned, else one copy). */
export function f64FromBytes(bytes: Uint8Array): Float64Array {
  const n = bytes.byteLength >> 3;
  if (LITTLE_ENDIAN) {
    if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, n);
    return new Float64Array(bytes.slice().buffer, 0, n);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
  return out;
}

function infoFields(info: StreamInfo | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!info) return out;
  if (info.description != null) out["description"] = info.description;
  if (info.tags && info.tags.length > 0) out["tags"] = info.tags;
  if (info.metadata != null) out["metadata"] = info.metadata;
  return out;
}

/** A number as JSON: non-finite values become `null` (JSON cannot carry them). */
function jsonNumber(v: number): string {
  return v - v === 0 ? decimalString(v) : "null";
}

const keyJson = new Map<string, string>();
function jsonKey(k: string): string {
  let q = keyJson.get(k);
  if (q === undefined) {
    q = JSON.stringify(k) + ":";
    if (keyJson.size > 10_000) keyJson.clear();
    keyJson.set(k, q);
  }
  return q;
}

/** `{"dataPoints": [...]}` rows of metric blocks, built as one string (no object per point). */
function metricRowsJson(blocks: readonly MetricBlock[]): string {
  let out = "";
  for (const b of blocks) {
    if (b.kind === "rows") {
      for (const r of b.rows) out += (out === "" ? "" : ",") + exactJson(r);
      continue;
    }
    const frags = b.keys.map((k, j) => (j === 0 ? "" : ",") + jsonKey(k));
    const tsKey = (b.keys.length === 0 ? "" : ",") + '"_ts":';
    for (let i = 0; i < b.length; i++) {
      let line = "{";
      for (let j = 0; j < frags.length; j++) line += (frags[j] as string) + jsonNumber((b.cols[j] as Float64Array)[i] as number);
      out += (out === "" ? "" : ",") + line + tsKey + jsonNumber(b.ts[i] as number) + "}";
    }
  }
  return out;
}

/** Encodes a metric batch (`first`/`count` say which records) in the given format. */
export function encodeMetricBatch(batch: Batch, format: WireFormat): EncodedBody {
  if (batch.data.kind !== "metric") throw new TypeError("encodeMetricBatch needs a metric batch");
  const blocks = batch.data.blocks;
  if (format === "json") {
    let extra = "";
    for (const [k, v] of Object.entries(infoFields(batch.info))) extra += "," + jsonKey(k) + exactJson(v);
    if (batch.createdAt) extra += ',"createdAt":' + JSON.stringify(batch.createdAt);
    const text = "{" + extra.slice(1) + (extra === "" ? "" : ",") + '"dataPoints":[' + metricRowsJson(blocks) + "]}";
    return { body: utf8.encode(text), contentType: JSON_TYPE };
  }
  const wireBlocks = blocks.map((b) =>
    // Column arrays have spare capacity past `length`: send the valid rows only.
    b.kind === "rows" ? { rows: b.rows } : { keys: b.keys, cols: b.cols.map((c) => f64Bytes(c.subarray(0, b.length))), ts: f64Bytes(b.ts.subarray(0, b.length)), length: b.length },
  );
  const created = batch.createdAt ? { createdAt: batch.createdAt } : {};
  return { body: packer.encode({ startIndex: batch.first, count: batch.count, ...infoFields(batch.info), ...created, blocks: wireBlocks }), contentType: MSGPACK };
}

/** Track entries as `{timestamp, ...data}` objects. */
export function trackEntries(records: readonly TrackEntry[]): Record<string, unknown>[] {
  return records.map((e) => ({ timestamp: e.timestampText !== undefined ? new ExactNumber(e.timestampText) : e.timestamp, ...e.data }));
}

/** Encodes a track batch in the given format. */
export function encodeTrackBatch(batch: Batch, format: WireFormat): EncodedBody {
  if (batch.data.kind !== "track") throw new TypeError("encodeTrackBatch needs a track batch");
  const doc = { ...infoFields(batch.info), entries: trackEntries(batch.data.records) };
  if (format === "json") return { body: utf8.encode(exactJson(doc)), contentType: JSON_TYPE };
  return { body: packer.encode({ startIndex: batch.first, ...doc }), contentType: MSGPACK };
}

/** A log record as the REST API carries it. */
export function logJson(r: LogRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { timestamp: r.iso ?? isoMicros(r.timeMs), level: r.level, message: r.message };
  if (r.metadata && Object.keys(r.metadata).length > 0) out["metadata"] = r.metadata;
  return out;
}

/** Encodes a log batch (always JSON: logs are text, and every ML-Dash server takes this shape). */
export function encodeLogBatch(batch: Batch): EncodedBody {
  if (batch.data.kind !== "log") throw new TypeError("encodeLogBatch needs a log batch");
  const doc = { logs: batch.data.records.map(logJson) };
  return { body: utf8.encode(exactJson(doc)), contentType: JSON_TYPE };
}

/** Encodes any batch: metrics and tracks in `format`, logs as JSON. */
export function encodeBatch(batch: Batch, format: WireFormat): EncodedBody {
  switch (batch.data.kind) {
    case "metric":
      return encodeMetricBatch(batch, format);
    case "track":
      return encodeTrackBatch(batch, format);
    case "log":
      return encodeLogBatch(batch);
  }
}

/**
 * The REST request of a stream's batch endpoint (path relative to `/api/`). Names and topics
 * are percent-encoded (a metric name cannot hold "/"; a topic can).
 */
export function batchTarget(experimentId: string, batch: Batch): RouteTarget {
  const s = batch.stream;
  switch (s.kind) {
    case "metric":
      return target(routes.appendMetricBatch, { id: experimentId, name: s.name ?? UNNAMED_METRIC });
    case "track":
      return target(routes.appendTrackBatch, { id: experimentId, topic: s.name as string });
    case "log":
      return target(routes.appendLogs, { id: experimentId });
  }
}

/** The idempotency key of a batch: its writer (or the experiment id), stream and first record number. */
export function idempotencyKey(writer: string, batch: Batch): string {
  return `${writer}:${batch.stream.key}:${batch.first}`;
}
