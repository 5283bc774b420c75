/** Tracks of a `.dash` run: their metadata, a sample of the entries, and the entry at a time. */
import type { TrackRecord } from "../../../model/backend.ts";
import { readJsonDoc } from "../../../layout/json-doc.ts";
import { paths, runKeys } from "../../../layout/paths.ts";
import type { StorageAdapter } from "../../../storage/contract.ts";
import type { TrackAt, TrackSample, TrackSource } from "../../store/reads.ts";
import type { TrackInfo } from "../../store/streams.ts";
import type { JsonlState } from "./jsonl-cache.ts";

/** The metadata of every track of run `dir` (only `topic`'s when given), in folder order. */
export async function listTracks(storage: StorageAdapter, dir: string, topic?: string, own?: readonly string[]): Promise<TrackInfo[]> {
  const keys = own ?? (await storage.list(paths.tracksDir(dir))).map((k) => k.slice(dir.length + 1));
  // Read at once (their latency overlaps), kept in folder order.
  const metas = await Promise.all(keys.filter((rel) => runKeys.trackMetaDir(rel) !== undefined).map((rel) => readJsonDoc(storage, paths.inRun(dir, rel))));
  return metas.filter((meta) => meta && !(topic && meta["topic"] !== topic)) as TrackInfo[];
}

/** A track's parsed entries as a {@link TrackSource}. */
export function trackSource(state: JsonlState<TrackRecord>): TrackSource {
  return {
    revision: String(state.bytes),
    sample: async (limit) => sampleTrack(state, limit),
    at: async (t) => trackEntryAt(state.records, t),
  };
}

/** About `limit` entries of a track (every n-th and the last), with its columns. */
export function sampleTrack(state: JsonlState<TrackRecord>, limit: number): TrackSample {
  const all = state.records;
  const stride = Math.max(1, Math.ceil(all.length / limit));
  const entries = stride === 1 ? all : all.filter((_, i) => i % stride === 0 || i === all.length - 1);
  const columns = new Set<string>();
  for (const e of all) for (const k of Object.keys(e)) if (k !== "timestamp") columns.add(k);
  return {
    total: all.length,
    sampled: stride > 1,
    first: all[0]?.timestamp ?? null,
    last: all[all.length - 1]?.timestamp ?? null,
    columns: [...columns].sort(),
    entries,
  };
}

/** Index of the last entry with `timestamp <= t` (entries sorted), or -1. */
export function floorIndex(entries: readonly { readonly timestamp: number }[], t: number): number {
  let lo = 0;
  let hi = entries.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid] as { timestamp: number }).timestamp <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** The entry at time `t`: the last at or before it, merged with those sharing its timestamp. */
export function trackEntryAt(records: readonly TrackRecord[], t: number): TrackAt {
  const at = floorIndex(records, t);
  const first = records[0]?.timestamp ?? null;
  if (at < 0) return { index: -1, entry: null, total: records.length, first };
  const ts = (records[at] as TrackRecord).timestamp;
  // Entries sharing a timestamp are one entry (as the SDK merges them).
  let lo = at;
  while (lo > 0 && (records[lo - 1] as TrackRecord).timestamp === ts) lo--;
  const entry: TrackRecord = Object.assign({}, ...records.slice(lo, at + 1));
  return { index: at, entry, total: records.length, first };
}
