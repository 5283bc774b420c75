/**
 * Request bodies turned into the SDK's batch data (the decoding half of `src/remote/wire.ts`):
 * metric rows or float64 column blocks, track entries, log lines. Values are normalised with
 * the SDK's own rules, so anything the local store could not hold is a 400 naming its place.
 */
import type { MetricBlock } from "../model/metric-block.ts";
import { isPlainObject, normalizeValue, type PlainObject, type PlainValue } from "../model/values.ts";
import { flattenInto } from "../model/flatten.ts";
import { parseLevel } from "../write/run-context.ts";
import { checkMetricName } from "../api/metrics/metric-builder.ts";
import { logRecords } from "../protocol/batch-ops.ts";
import { f64FromBytes } from "../protocol/wire.ts";
import type { LogRecord, StreamInfo, TrackEntry } from "../model/batch.ts";
import { isoMicros } from "../internal/clock.ts";
import { runsLength, type CreatedRuns } from "../model/created-at.ts";
import { ExactNumber } from "../model/exact.ts";
import { badRequest, check } from "./http-error.ts";
import { shown, textProblem } from "../model/names.ts";
import { ColumnBlockWire, LogsBody, MetricBlocksBody, MetricRowsBody, RowBlockWire, TrackBody } from "./schemas.ts";
import type * as v from "valibot";

/** A decoded batch: where it starts (when the client said), its records, and stream info. */
export interface Decoded<T> {
  readonly startIndex: number | undefined;
  readonly count: number;
  readonly data: T;
  readonly info: StreamInfo | undefined;
  /** When the records were first stored (a copy's), else undefined: stored now. */
  readonly createdAt?: CreatedRuns | undefined;
}

/** The body's `createdAt` runs, which must cover exactly `count` records. */
function keptTimes(runs: CreatedRuns | undefined, count: number): CreatedRuns | undefined {
  if (runs === undefined) return undefined;
  if (runsLength(runs) !== count) throw badRequest(`Invalid metric batch: "createdAt" covers ${runsLength(runs)} points but the batch holds ${count}`, "createdAt");
  return runs;
}

const PY_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/;

/** The position a request claims: the body's, else the number ending its `Idempotency-Key`. */
export function claimedStart(bodyStart: number | undefined, idempotencyKey: string | undefined): number | undefined {
  if (bodyStart !== undefined) return bodyStart;
  const m = idempotencyKey ? /:(\d+)$/.exec(idempotencyKey) : null;
  return m ? Number(m[1]) : undefined;
}

/** What a writer id looks like (the SDK sends 22 base64url characters; anything else is no writer). */
const WRITER_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A writer id from a client, or undefined when `raw` is none (absent, or not shaped like one). */
export function writerId(raw: string | undefined): string | undefined {
  return raw !== undefined && WRITER_ID.test(raw) ? raw : undefined;
}

/**
 * The writer a batch's `Idempotency-Key` names: `<writer>:<stream key>:<first>`. A key that
 * starts with the experiment's own id (the SDK before writer ids) or is shaped otherwise names
 * none: its position is then the stream's.
 */
export function claimedWriter(idempotencyKey: string | undefined, streamKey: string, experimentId: string): string | undefined {
  const m = idempotencyKey ? /:(\d+)$/.exec(idempotencyKey) : null;
  if (!idempotencyKey || !m) return undefined;
  const rest = idempotencyKey.slice(0, m.index);
  if (!rest.endsWith(":" + streamKey)) return undefined;
  const writer = rest.slice(0, rest.length - streamKey.length - 1);
  return writer === experimentId ? undefined : writerId(writer);
}

/** A metric name from the URL (`None` = the unnamed metric); 400 for one that would escape its folder. */
export function metricName(raw: string): string | null {
  return checkMetricName(raw);
}

/** A track topic from the URL; 400 when its folder name would escape the tracks folder. */
export function trackTopic(raw: string): string {
  // "/" is allowed (a store may map it, as `.dash` maps it to "_"), so only "." and ".." name no track.
  if (raw === "" || raw === "." || raw === ".." || raw.includes("\\")) {
    throw badRequest(`Invalid track topic ${shown(raw)}: use a non-empty topic without "\\" or control characters, not "." or ".."`, "topic");
  }
  const problem = textProblem(raw);
  if (problem) throw badRequest(`Invalid track topic ${shown(raw)}: it ${problem}`, "topic");
  return raw;
}

function streamInfo(b: { description?: string | null | undefined; tags?: string[] | null | undefined; metadata?: Record<string, unknown> | null | undefined }): StreamInfo | undefined {
  if (b.description == null && b.tags == null && b.metadata == null) return undefined;
  const out: { description?: string | null; tags?: readonly string[]; metadata?: PlainObject | null } = {};
  if (b.description != null) out.description = b.description;
  if (b.tags != null) out.tags = b.tags;
  if (b.metadata != null) out.metadata = normalizeValue(b.metadata, "metadata", "body") as PlainObject;
  return out;
}

/** A point's values as stored: plain data, `_ts` a number when present. */
function point(row: Record<string, unknown>, field: string): PlainObject {
  const p = normalizeValue(row, field, "body") as PlainObject;
  const ts = p["_ts"];
  if (ts !== undefined && ts !== null && typeof ts !== "number" && !(ts instanceof ExactNumber)) throw badRequest(`Invalid body: "${field}._ts" must be a number of seconds`, `${field}._ts`);
  return p;
}

/** A metric batch: msgpack column blocks, or rows (JSON or msgpack). */
export function decodeMetricBatch(body: unknown): Decoded<MetricBlock[]> {
  if (isPlainObject(body) && "blocks" in body) {
    const b = check(MetricBlocksBody, body, "metric batch");
    const blocks: MetricBlock[] = [];
    let count = 0;
    b.blocks.forEach((raw, i) => {
      if (!isPlainObject(raw)) {
        const got = Array.isArray(raw) ? "an array" : raw instanceof Uint8Array ? "binary data" : raw === null ? "null" : typeof raw;
        throw badRequest(`Invalid metric batch: "blocks.${i}" must be a column block (a map of keys, cols, ts, length) or a row block (a map of rows), not ${got}`, `blocks.${i}`);
      }
      if ("rows" in raw) {
        const blk = check(RowBlockWire, raw, "metric batch (a row block)", `blocks.${i}`);
        const rows = blk.rows.map((r, j) => point(r, `blocks.${i}.rows.${j}`));
        blocks.push({ kind: "rows", rows, length: rows.length });
        count += rows.length;
        return;
      }
      const blk = check(ColumnBlockWire, raw, "metric batch (a column block)", `blocks.${i}`);
      blocks.push(columnBlock(blk, i));
      count += blk.length;
    });
    if (b.count !== undefined && b.count !== count) throw badRequest(`Invalid metric batch: "count" is ${b.count} but the blocks hold ${count} points`, "count");
    return { startIndex: b.startIndex, count, data: blocks, info: streamInfo(b), createdAt: keptTimes(b.createdAt, count) };
  }
  const b = check(MetricRowsBody, body, "metric batch");
  const rows = b.dataPoints.map((r, i) => point(r, `dataPoints.${i}`));
  return { startIndex: b.startIndex, count: rows.length, data: rows.length > 0 ? [{ kind: "rows", rows, length: rows.length }] : [], info: streamInfo(b), createdAt: keptTimes(b.createdAt, rows.length) };
}

function columnBlock(blk: v.InferOutput<typeof ColumnBlockWire>, i: number): MetricBlock {
  const at = `blocks.${i}`;
  const bytes = blk.length * 8;
  if (blk.cols.length !== blk.keys.length) throw badRequest(`Invalid metric batch: "${at}.cols" has ${blk.cols.length} columns for ${blk.keys.length} keys`, `${at}.cols`);
  blk.keys.forEach((k, j) => {
    if (k === "" || k === "_ts") throw badRequest(`Invalid metric batch: "${at}.keys.${j}" must be a non-empty name other than "_ts"`, `${at}.keys.${j}`);
  });
  blk.cols.forEach((c, j) => {
    if (c.byteLength !== bytes) throw badRequest(`Invalid metric batch: "${at}.cols.${j}" must hold ${blk.length} float64 values (${bytes} bytes)`, `${at}.cols.${j}`);
  });
  if (blk.ts.byteLength !== bytes) throw badRequest(`Invalid metric batch: "${at}.ts" must hold ${blk.length} float64 values (${bytes} bytes)`, `${at}.ts`);
  return { kind: "cols", keys: blk.keys, cols: blk.cols.map(f64FromBytes), ts: f64FromBytes(blk.ts), length: blk.length };
}

/** A track batch: entries sorted by timestamp (stable), nested objects flattened to dot keys. */
export function decodeTrackBatch(body: unknown): Decoded<TrackEntry[]> {
  const b = check(TrackBody, body, "track batch");
  const entries = b.entries.map((e, i): TrackEntry => {
    const data: Record<string, PlainValue> = {};
    for (const k in e) {
      if (k === "timestamp") continue;
      if (k === "__proto__") throw badRequest(`Invalid track batch: the key "__proto__" at "entries.${i}" cannot be stored; rename it`, `entries.${i}.__proto__`);
      const n = normalizeValue(e[k], `entries.${i}.${k}`, "body");
      if (n !== null && typeof n === "object" && !Array.isArray(n) && !(n instanceof ExactNumber)) flattenInto(data, n, k);
      else data[k] = n;
    }
    const t = e.timestamp as unknown;
    return t instanceof ExactNumber ? { timestamp: t.valueOf(), timestampText: t.text, data } : { timestamp: e.timestamp, data };
  });
  // Python sorts each batch by timestamp; a client numbering its entries sends them sorted already.
  if (b.startIndex === undefined) entries.sort((x, y) => x.timestamp - y.timestamp);
  return { startIndex: b.startIndex, count: entries.length, data: entries, info: streamInfo(b) };
}

/** A log batch; lines without a timestamp get the time of arrival. */
export function decodeLogBatch(body: unknown): Decoded<LogRecord[]> {
  const b = check(LogsBody, body, "logs");
  const now = isoMicros(Date.now());
  const items = b.logs.map((l, i) => {
    let level: LogRecord["level"];
    try {
      level = parseLevel(l.level, "logs");
    } catch {
      throw badRequest(`Invalid logs: "logs.${i}.level" must be one of debug, info, warn, error, fatal`, `logs.${i}.level`);
    }
    // Stored in Python's form (UTC, microseconds); a timestamp already in it is kept verbatim.
    const ts = l.timestamp === undefined ? now : PY_ISO.test(l.timestamp) ? l.timestamp : isoMicros(Date.parse(l.timestamp));
    const out: { timestamp: string; level: LogRecord["level"]; message: string; metadata?: PlainObject } = { timestamp: ts, level, message: l.message };
    if (l.metadata) out.metadata = normalizeValue(l.metadata, `logs.${i}.metadata`, "body") as PlainObject;
    return out;
  });
  return { startIndex: b.startSequence, count: items.length, data: logRecords(items), info: undefined };
}
