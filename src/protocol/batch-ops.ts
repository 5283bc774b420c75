/**
 * Cutting and building batches on the remote path: the part of a batch the server does not
 * hold yet, a prefix that fits a byte budget, and batches rebuilt from stored records.
 */
import { sliceRuns, type CreatedRuns } from "../model/created-at.ts";
import { ExactNumber } from "../model/exact.ts";
import { sliceBlock, type MetricBlock } from "../model/metric-block.ts";
import type { PlainObject } from "../model/values.ts";
import type { Batch, BatchData, LogRecord, StreamId, StreamInfo, TrackEntry } from "../model/batch.ts";

/** Records `[from, to)` of a metric's blocks (views; no copies). */
export function sliceBlocks(blocks: readonly MetricBlock[], from: number, to: number): MetricBlock[] {
  const out: MetricBlock[] = [];
  let pos = 0;
  for (const b of blocks) {
    const start = Math.max(from, pos);
    const end = Math.min(to, pos + b.length);
    if (start < end) out.push(sliceBlock(b, start - pos, end - pos));
    pos += b.length;
    if (pos >= to) break;
  }
  return out;
}

/** Records `[skip, skip + take)` of a batch's data. */
export function sliceData(data: BatchData, skip: number, take: number): BatchData {
  switch (data.kind) {
    case "metric":
      return { kind: "metric", blocks: sliceBlocks(data.blocks, skip, skip + take) };
    case "track":
      return { kind: "track", records: data.records.slice(skip, skip + take) };
    case "log":
      return { kind: "log", records: data.records.slice(skip, skip + take) };
  }
}

/**
 * The records of `batch` from number `from` on (at most `take` of them), as a new batch. The
 * original is left untouched (the buffer may still hold it).
 */
export function tailOf(batch: Batch, from: number, take = Infinity): Batch {
  const skip = Math.max(0, from - batch.first);
  const count = Math.min(batch.count - skip, take);
  if (skip === 0 && count === batch.count) return batch;
  return {
    ...batch,
    first: batch.first + skip,
    count,
    data: sliceData(batch.data, skip, count),
    bytes: Math.round((batch.bytes * count) / Math.max(1, batch.count)),
    createdAt: sliceRuns(batch.createdAt, skip, count),
  };
}

/** The records of several batches of one stream, in order, as one batch's data. */
export function concatData(parts: readonly BatchData[]): BatchData {
  const first = parts[0] as BatchData;
  switch (first.kind) {
    case "metric":
      return { kind: "metric", blocks: parts.flatMap((p) => (p.kind === "metric" ? p.blocks : [])) };
    case "track":
      return { kind: "track", records: parts.flatMap((p) => (p.kind === "track" ? p.records : [])) };
    case "log":
      return { kind: "log", records: parts.flatMap((p) => (p.kind === "log" ? p.records : [])) };
  }
}

/** Most records in one request. */
export const MAX_REQUEST_RECORDS = 50_000;
/** Most (estimated in-memory) bytes in one request. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/**
 * Consecutive batches merged into requests of at most {@link MAX_REQUEST_RECORDS} records:
 * when batches pile up (a slow server, a long round trip), each request carries more of them,
 * so throughput does not stay bound to one batch per round trip. Batches that do not follow
 * each other are never merged.
 */
export function coalesce(batches: readonly Batch[]): Batch[] {
  const out: Batch[] = [];
  let group: Batch[] = [];
  const close = (): void => {
    const head = group[0];
    if (!head) return;
    out.push(
      group.length === 1
        ? head
        : {
            ...head,
            count: group.reduce((n, b) => n + b.count, 0),
            data: concatData(group.map((b) => b.data)),
            bytes: group.reduce((n, b) => n + b.bytes, 0),
            createdAt: head.createdAt ? group.flatMap((b) => b.createdAt ?? []) : undefined,
          },
    );
    group = [];
  };
  let records = 0;
  let bytes = 0;
  for (const b of batches) {
    const prev = group[group.length - 1];
    if (prev && (prev.first + prev.count !== b.first || !prev.createdAt !== !b.createdAt || records + b.count > MAX_REQUEST_RECORDS || bytes + b.bytes > MAX_REQUEST_BYTES)) {
      close();
      records = 0;
      bytes = 0;
    }
    group.push(b);
    records += b.count;
    bytes += b.bytes;
  }
  close();
  return out;
}

/** A batch of `records` numbered from `first`. */
export function makeBatch(stream: StreamId, first: number, data: BatchData, count: number, info?: StreamInfo, createdAt?: CreatedRuns): Batch {
  return createdAt ? { stream, first, count, data, sealedMs: Date.now(), bytes: 0, info, createdAt } : { stream, first, count, data, sealedMs: Date.now(), bytes: 0, info };
}

/**
 * Metric rows as blocks: runs of rows with the same all-number keys become column blocks (8
 * bytes a value on the wire), anything else stays rows. Rows include `_ts`.
 */
export function rowsToBlocks(rows: readonly PlainObject[]): MetricBlock[] {
  const out: MetricBlock[] = [];
  let i = 0;
  while (i < rows.length) {
    const keys = numericKeys(rows[i] as PlainObject);
    if (keys === undefined) {
      const start = i;
      while (i < rows.length && numericKeys(rows[i] as PlainObject) === undefined) i++;
      out.push({ kind: "rows", rows: rows.slice(start, i), length: i - start });
      continue;
    }
    let end = i + 1;
    while (end < rows.length && sameKeys(rows[end] as PlainObject, keys)) end++;
    const n = end - i;
    const cols = keys.map(() => new Float64Array(n));
    const ts = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const row = rows[i + r] as PlainObject;
      for (let j = 0; j < keys.length; j++) (cols[j] as Float64Array)[r] = row[keys[j] as string] as number;
      ts[r] = row["_ts"] as number;
    }
    out.push({ kind: "cols", keys, cols, ts, length: n });
    i = end;
  }
  return out;
}

/** The data keys of a row whose values are all numbers and that has a numeric `_ts`; else undefined. */
function numericKeys(row: PlainObject): string[] | undefined {
  if (typeof row["_ts"] !== "number") return undefined;
  const keys: string[] = [];
  for (const k in row) {
    if (typeof row[k] !== "number") return undefined;
    if (k !== "_ts") keys.push(k);
  }
  // `_ts` must come last so the column block writes the keys back in the same order.
  const all = Object.keys(row);
  return all[all.length - 1] === "_ts" ? keys : undefined;
}

function sameKeys(row: PlainObject, keys: readonly string[]): boolean {
  let j = 0;
  for (const k in row) {
    if (k === "_ts") {
      if (j !== keys.length || typeof row[k] !== "number") return false;
      continue;
    }
    if (keys[j] !== k || typeof row[k] !== "number") return false;
    j++;
  }
  return j === keys.length && typeof row["_ts"] === "number";
}

/** Log records from stored or received `{timestamp, level, message, metadata?}` objects. */
export function logRecords(items: readonly { timestamp: string; level: LogRecord["level"]; message: string; metadata?: PlainObject }[]): LogRecord[] {
  return items.map((l) => ({
    timeMs: Date.parse(l.timestamp),
    iso: l.timestamp,
    level: l.level,
    message: l.message,
    metadata: l.metadata && Object.keys(l.metadata).length > 0 ? l.metadata : undefined,
  }));
}

/** Track entries from `{timestamp, ...data}` objects. */
export function trackRecords(items: readonly Record<string, unknown>[]): TrackEntry[] {
  return items.map((e) => {
    const { timestamp, ...data } = e;
    // A timestamp kept as written (`10.0`) keeps its text; its value orders and bounds the track.
    if (timestamp instanceof ExactNumber) return { timestamp: timestamp.valueOf(), timestampText: timestamp.text, data: data as TrackEntry["data"] };
    return { timestamp: timestamp as number, data: data as TrackEntry["data"] };
  });
}
