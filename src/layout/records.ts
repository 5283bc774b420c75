/**
 * Encoders for the records and metadata documents of the `.dash` layout, with the key names
 * and key order ML-Dash Python writes (checked byte for byte in test/node/python-interop.test.ts).
 */
import { isoMicros } from "../internal/clock.ts";
import type { PlainObject, PlainValue } from "../model/values.ts";
import type { MetricBlock } from "../model/metric-block.ts";
import type { LogRecord, TrackEntry } from "../model/batch.ts";
import { intText, pyJson, pyKey, pyNumber, pyObject, pyString } from "./py-json.ts";

/**
 * `{"index": i, "data": {...}, "createdAt": "..."}\n` lines for a run of points. Column
 * blocks are encoded column-wise with precomputed key fragments; row blocks key by key.
 */
export function encodeMetricLines(first: number, blocks: readonly MetricBlock[], createdAt: string): string {
  const tail = '}, "createdAt": ' + pyString(createdAt) + "}\n";
  let out = "";
  let index = first;
  for (const b of blocks) {
    if (b.kind === "cols") {
      const k = b.keys.length;
      // The columns with `_ts` last, and the text before each value.
      const columns = [...b.cols, b.ts];
      const frags = [...b.keys.map((key, j) => (j === 0 ? "" : ", ") + pyKey(key)), k === 0 ? '"_ts": ' : ', "_ts": '];
      // A value equal to the row above reuses its text: epochs, learning rates, rounded
      // accuracies and timestamps of points logged in the same microsecond repeat a lot, and
      // formatting a number is most of a line's cost.
      const lastV = new Float64Array(k + 1).fill(NaN);
      const lastS: string[] = new Array<string>(k + 1).fill("");
      for (let i = 0; i < b.length; i++) {
        let line = '{"index": ' + intText(index++) + ', "data": {';
        for (let j = 0; j <= k; j++) {
          const v = (columns[j] as Float64Array)[i] as number;
          let text: string;
          if (v === lastV[j] && (v !== 0 || 1 / v === 1 / (lastV[j] as number))) text = lastS[j] as string; // 0 and -0 differ
          else {
            text = pyNumber(v);
            lastV[j] = v;
            lastS[j] = text;
          }
          line += (frags[j] as string) + text;
        }
        out += line + tail;
      }
    } else {
      for (const p of b.rows) {
        let body = "";
        for (const key in p) {
          const v = p[key] as PlainValue;
          body += (body === "" ? "" : ", ") + pyKey(key) + (typeof v === "number" ? pyNumber(v) : pyJson(v));
        }
        out += '{"index": ' + index++ + ', "data": {' + body + tail;
      }
    }
  }
  return out;
}

/** `{"sequenceNumber": n, "timestamp": ..., "level": ..., "message": ..., "metadata"?: ...}\n` lines. */
export function encodeLogLines(first: number, logs: readonly LogRecord[]): string {
  let out = "";
  for (let i = 0; i < logs.length; i++) {
    const r = logs[i] as LogRecord;
    out +=
      '{"sequenceNumber": ' +
      intText(first + i) +
      ', "timestamp": ' +
      pyString(r.iso ?? isoMicros(r.timeMs)) +
      ', "level": ' +
      pyString(r.level) +
      ', "message": ' +
      pyString(r.message) +
      (r.metadata ? ', "metadata": ' + pyObject(r.metadata) : "") +
      "}\n";
  }
  return out;
}

/** `{"timestamp": t, ...data}\n` lines. */
export function encodeTrackLines(entries: readonly TrackEntry[]): string {
  let out = "";
  for (const e of entries) {
    let body = '{"timestamp": ' + (e.timestampText ?? pyNumber(e.timestamp));
    for (const k in e.data) {
      const v = e.data[k] as PlainValue;
      body += ", " + pyKey(k) + (typeof v === "number" ? pyNumber(v) : pyJson(v));
    }
    out += body + "}\n";
  }
  return out;
}

/** `metrics/<name>/metadata.json`. */
export interface MetricMetaDoc {
  metricId: string;
  name: string | null;
  description: string | null;
  tags: string[];
  metadata: PlainObject | null;
  totalDataPoints: number;
  nextIndex: number;
  createdAt: string;
  updatedAt: string;
  [extra: string]: PlainValue;
}

/** A fresh metric metadata document. */
export function newMetricMeta(
  name: string | null,
  info: { description?: string | null; tags?: readonly string[]; metadata?: PlainObject | null } | undefined,
  now: string,
): MetricMetaDoc {
  return {
    metricId: `local-metric-${name ?? "None"}`,
    name,
    description: info?.description ?? null,
    tags: [...(info?.tags ?? [])],
    metadata: info?.metadata ?? null,
    totalDataPoints: 0,
    nextIndex: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** `tracks/<topic>/metadata.json`. */
export interface TrackMetaDoc {
  trackId: string;
  topic: string;
  columns: string[];
  totalEntries: number;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  createdAt: string;
  [extra: string]: PlainValue;
}

/** A fresh track metadata document. */
export function newTrackMeta(topic: string, now: string, info?: { description?: string | null; tags?: readonly string[]; metadata?: PlainObject | null }): TrackMetaDoc {
  const doc: TrackMetaDoc = {
    trackId: `local-track-${topic.replaceAll("/", "_")}`,
    topic,
    columns: [],
    totalEntries: 0,
    firstTimestamp: null,
    lastTimestamp: null,
    createdAt: now,
  };
  if (info?.description != null) doc["description"] = info.description;
  if (info?.tags && info.tags.length > 0) doc["tags"] = [...info.tags];
  if (info?.metadata != null) doc["metadata"] = info.metadata;
  return doc;
}

/** `parameters.json`: `createdAt` only while version is 1, as Python drops it on the first update. */
export function encodeParameters(version: number, data: Record<string, PlainValue>, createdAt: string, updatedAt: string): string {
  const doc: PlainObject = version === 1 ? { version, data, createdAt, updatedAt } : { version, data, updatedAt };
  return pyObject(doc);
}

/** The fields of `experiment.json` that the SDK sets (snake_case, as Python writes them). */
export interface ExperimentDoc {
  name: string;
  project: string | null;
  description: string | null;
  tags: string[];
  bindrs: string[];
  prefix: string;
  metadata: PlainObject | null;
  created_at: string;
  write_protected: boolean;
  updated_at?: string;
  /** Our addition: RUNNING, COMPLETED, FAILED or CANCELLED. Python ignores it. */
  status?: string;
  [extra: string]: PlainValue | undefined;
}

/** Serialises any metadata document with Python's formatting. */
export function encodeDoc(doc: object): string {
  return pyObject(doc as PlainObject);
}
