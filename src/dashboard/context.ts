/**
 * What every dashboard route shares: the store and the caches built over it.
 */
import type { StorageAdapter } from "../storage/contract.ts";
import type { StoredLog, TrackRecord } from "../model/backend.ts";
import { JsonlCache } from "./jsonl-cache.ts";
import { MetricCache } from "./metric-cache.ts";
import type { ListRunsOptions } from "./runs.ts";

/** Shared state of one dashboard app. */
export interface DashContext {
  readonly storage: StorageAdapter;
  readonly metrics: MetricCache;
  readonly logs: JsonlCache<StoredLog>;
  /** Track entries sorted by timestamp (stable: entries with equal times keep file order). */
  readonly tracks: JsonlCache<TrackRecord>;
  readonly runOptions: ListRunsOptions;
}

/** Builds the shared state. */
export function dashContext(storage: StorageAdapter, options: { cacheBytes?: number | undefined; runOptions?: ListRunsOptions | undefined }): DashContext {
  return {
    storage,
    metrics: new MetricCache(storage, options.cacheBytes),
    logs: new JsonlCache<StoredLog>(storage),
    tracks: new JsonlCache<TrackRecord>(storage, 64, (all) => all.filter((r) => typeof r.timestamp === "number").sort((a, b) => a.timestamp - b.timestamp)),
    runOptions: options.runOptions ?? {},
  };
}
