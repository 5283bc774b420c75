/**
 * Per-stream write state of a local experiment folder: the next index / sequence / entry
 * number, the metadata document, and the size of the data file. It is loaded once per stream
 * (reconciling metadata with what the data file really holds after a crash) and then kept in
 * memory, so a flush never re-reads metadata, except when other processes may write the same
 * folder (`capabilities.sharedWriters`), where it is reloaded under the lock.
 */
import { nowIso } from "../../internal/clock.ts";
import type { PlainValue } from "../../model/values.ts";
import { paths, trackDirName } from "../../layout/paths.ts";
import { topicCollision } from "../../layout/track-topic.ts";
import { newMetricMeta, newTrackMeta, type MetricMetaDoc, type TrackMetaDoc } from "../../layout/records.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import type { Batch, StreamId, StreamInfo, TrackEntry } from "../../model/batch.ts";
import { countLines, repairTail } from "../../layout/jsonl-tail.ts";
import { readJsonDoc } from "../../layout/json-doc.ts";

/** Write state of one stream. */
export interface StreamState {
  readonly dataKey: string;
  /** Key of the cursor document: metadata.json, or `.log_sequence` for the log. */
  readonly metaKey: string;
  /** Number of the next record. */
  next: number;
  /** Size of the data file as far as this writer knows. */
  size: number;
  /** The metadata document (metrics and tracks). */
  meta: MetricMetaDoc | TrackMetaDoc | undefined;
  /** The metadata on disk is behind `next`. */
  dirty: boolean;
}

const decoder = new TextDecoder();

async function readDoc<T>(storage: StorageAdapter, key: string): Promise<T | undefined> {
  return (await readJsonDoc(storage, key)) as T | undefined; // corrupt metadata: rebuilt from the data file
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v !== "" && Number.isFinite(+v) ? +v : 0;
}

/**
 * Loads (or reloads) the state of `stream` in experiment folder `dir`. A writer (`repair`, the
 * default) cuts a torn last line a crash left; a reader (`repair: false`) ignores it and
 * changes nothing, since it may be another process's append in progress.
 */
export async function loadStreamState(storage: StorageAdapter, dir: string, stream: StreamId, info?: StreamInfo, repair = true): Promise<StreamState> {
  switch (stream.kind) {
    case "log":
      return loadLogState(storage, dir, repair);
    case "metric":
      return loadMetricState(storage, dir, stream.name, info, repair);
    case "track":
      return loadTrackState(storage, dir, stream.name as string, info, repair);
  }
}

async function loadLogState(storage: StorageAdapter, dir: string, repair: boolean): Promise<StreamState> {
  const dataKey = paths.logs(dir);
  const metaKey = paths.logSequence(dir);
  const seqBytes = await storage.read(metaKey);
  const stored = seqBytes ? Math.max(0, Math.trunc(num(decoder.decode(seqBytes).trim()))) : 0;
  const tail = await repairTail(storage, dataKey, repair);
  const lastSeq = (tail.last as { sequenceNumber?: unknown } | undefined)?.sequenceNumber;
  const fromData = typeof lastSeq === "number" ? lastSeq + 1 : 0;
  const next = Math.max(stored, fromData);
  return { dataKey, metaKey, next, size: tail.size, meta: undefined, dirty: next !== stored };
}

async function loadMetricState(storage: StorageAdapter, dir: string, name: string | null, info: StreamInfo | undefined, repair: boolean): Promise<StreamState> {
  const dataKey = paths.metricData(dir, name);
  const metaKey = paths.metricMeta(dir, name);
  const stored = await readDoc<MetricMetaDoc>(storage, metaKey);
  const tail = await repairTail(storage, dataKey, repair);
  const lastIndex = (tail.last as { index?: unknown } | undefined)?.index;
  const fromData = typeof lastIndex === "number" ? lastIndex + 1 : tail.size > 0 ? await countLines(storage, dataKey, 0, tail.size) : 0;
  const meta = stored ?? newMetricMeta(name, info, nowIso());
  const storedNext = Math.max(num(meta.nextIndex), num(meta.totalDataPoints));
  const next = Math.max(storedNext, fromData);
  const dirty = !stored || next !== num(meta.nextIndex);
  meta.nextIndex = next;
  meta.totalDataPoints = Math.max(num(meta.totalDataPoints), next);
  return { dataKey, metaKey, next, size: tail.size, meta, dirty };
}

async function loadTrackState(storage: StorageAdapter, dir: string, topic: string, info: StreamInfo | undefined, repair: boolean): Promise<StreamState> {
  const dataKey = paths.trackData(dir, topic);
  const metaKey = paths.trackMeta(dir, topic);
  const stored = await readDoc<TrackMetaDoc>(storage, metaKey);
  // Another topic in this folder ("robot/pos" vs "robot_pos"): refused before anything is appended.
  if (stored && typeof stored.topic === "string" && stored.topic !== topic) throw topicCollision(topic, stored.topic, trackDirName(topic));
  const tail = await repairTail(storage, dataKey, repair);
  let meta = stored ?? newTrackMeta(topic, nowIso(), info);
  let next = 0;
  if (tail.size > 0) {
    // Track lines carry no number, so the entry count is the line count (one read on resume),
    // up to the size the tail was read at: another writer may append meanwhile.
    next = await countLines(storage, dataKey, 0, tail.size);
    if (!stored) meta = await rebuildTrackMeta(storage, dataKey, topic, info);
  }
  const dirty = !stored || next !== num(meta.totalEntries);
  meta.totalEntries = next;
  return { dataKey, metaKey, next, size: tail.size, meta, dirty };
}

/** Rebuilds a lost track metadata document from its data file. */
async function rebuildTrackMeta(storage: StorageAdapter, dataKey: string, topic: string, info?: StreamInfo): Promise<TrackMetaDoc> {
  const meta = newTrackMeta(topic, nowIso(), info);
  const bytes = await storage.read(dataKey);
  if (!bytes) return meta;
  const cols = new Set<string>();
  // Only after a crash lost the metadata: the JSONL reader loads then.
  const { parseJsonLines } = await import("../../layout/py-json-parse.ts");
  for (const rec of parseJsonLines<Record<string, PlainValue>>(bytes).records) {
    const ts = rec["timestamp"];
    if (typeof ts === "number") {
      if (meta.firstTimestamp === null || ts < meta.firstTimestamp) meta.firstTimestamp = ts;
      if (meta.lastTimestamp === null || ts > meta.lastTimestamp) meta.lastTimestamp = ts;
    }
    for (const k in rec) if (k !== "timestamp") cols.add(k);
  }
  meta.columns = [...cols].sort();
  return meta;
}

/**
 * Brings `state` up to date with appends by other writers (shared-writer adapters only, called
 * under the adapter's lock). Costs one `stat` when nobody else wrote since our last append.
 */
export async function refreshStreamState(
  storage: StorageAdapter,
  dir: string,
  stream: StreamId,
  state: StreamState,
  info?: StreamInfo,
): Promise<StreamState> {
  const st = await storage.stat(state.dataKey);
  const size = st?.size ?? 0;
  if (size === state.size) return state;
  if (stream.kind !== "track" || size < state.size) return loadStreamState(storage, dir, stream, info);
  // Tracks: count only the lines appended since our last write.
  const tail = await repairTail(storage, state.dataKey);
  const added = await countLines(storage, state.dataKey, state.size, tail.size);
  const meta = (await readDoc<TrackMetaDoc>(storage, state.metaKey)) ?? state.meta;
  const next = state.next + added;
  if (meta) meta.totalEntries = next;
  return { ...state, next, size: tail.size, meta, dirty: true };
}

/** Brings a stream's metadata up to date after `batches` were appended. */
export function updateMeta(stream: StreamId, state: StreamState, batches: readonly Batch[], now: string): void {
  // A copy of a stream from its start keeps the original's creation time (`stats().firstDataAt`).
  const kept = batches[0]?.first === 0 ? batches[0].createdAt?.[0]?.[1] : undefined;
  if (kept !== undefined && state.meta) (state.meta as { createdAt: string }).createdAt = kept;
  if (stream.kind === "metric") {
    const meta = state.meta as { totalDataPoints: number; nextIndex: number; updatedAt: string };
    meta.totalDataPoints = Math.max(meta.totalDataPoints, state.next);
    meta.nextIndex = state.next;
    meta.updatedAt = now;
  } else if (stream.kind === "track") {
    const meta = state.meta as TrackMetaDoc;
    const cols = new Set(meta.columns);
    let lo = meta.firstTimestamp;
    let hi = meta.lastTimestamp;
    for (const b of batches) {
      if (b.data.kind !== "track") continue;
      for (const e of b.data.records as readonly TrackEntry[]) {
        for (const k in e.data) cols.add(k);
        if (lo === null || e.timestamp < lo) lo = e.timestamp;
        if (hi === null || e.timestamp > hi) hi = e.timestamp;
      }
    }
    if (cols.size !== meta.columns.length) meta.columns = [...cols].sort();
    meta.totalEntries = state.next;
    meta.firstTimestamp = lo;
    meta.lastTimestamp = hi;
  }
}
