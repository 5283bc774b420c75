/**
 * What the parts of the `.dash` store share: the storage adapter, the index of its tree, the
 * files index, and the caches the dashboard's reads are served from.
 */
import type { EncoderPool } from "../../../backends/local/encoder-pool.ts";
import type { Sha256 } from "../../../files/sha256.ts";
import type { StoredLog, TrackRecord } from "../../../model/backend.ts";
import type { StorageAdapter } from "../../../storage/contract.ts";
import type { ExperimentRef } from "../../store/records.ts";
import { ServerFiles } from "./file-index.ts";
import { JsonlCache } from "./jsonl-cache.ts";
import { MetricCache } from "./metric-cache.ts";
import { type ExperimentEntry, Registry } from "./registry.ts";

/** Options of `dashStore`. */
export interface DashStoreOptions {
  /** Encodes big batches off the request thread (`ml-dash serve` passes the Node worker pool). */
  readonly encoder?: EncoderPool | undefined;
  /** A native incremental SHA-256 for stored files (the portable one otherwise). */
  readonly sha256?: (() => Sha256) | undefined;
  /** Largest file accepted (bytes). Default 100 GiB, as Python. */
  readonly maxFileBytes?: number | undefined;
  /** Memory budget of the metric column cache behind chart series, bytes. Default 512 MiB. */
  readonly cacheBytes?: number | undefined;
}

/** Shared state of one `.dash` store. */
export class DashState {
  readonly registry: Registry;
  readonly files: ServerFiles;
  readonly metrics: MetricCache;
  readonly logs: JsonlCache<StoredLog>;
  /** Track entries sorted by timestamp (stable: entries with equal times keep file order). */
  readonly tracks: JsonlCache<TrackRecord>;

  constructor(
    readonly storage: StorageAdapter,
    options: DashStoreOptions = {},
  ) {
    this.registry = new Registry(storage, options.encoder);
    this.files = new ServerFiles(this.registry, { sha256: options.sha256, maxFileBytes: options.maxFileBytes });
    this.metrics = new MetricCache(storage, options.cacheBytes);
    this.logs = new JsonlCache<StoredLog>(storage);
    this.tracks = new JsonlCache<TrackRecord>(storage, 64, (all) => all.filter((r) => typeof r.timestamp === "number").sort((a, b) => a.timestamp - b.timestamp));
  }

  /** Drops what the caches hold of a deleted experiment (and only of it: other runs' columns stay). */
  forget(e: ExperimentEntry): void {
    this.files.forget(e);
    for (const cache of [this.metrics, this.logs, this.tracks]) cache.forgetBelow(e.path);
  }

  /** The indexed experiment a ref names (its folder, indexed now if it was not yet). */
  entry(ref: ExperimentRef): Promise<ExperimentEntry> {
    const known = this.registry.byFolder(ref.path);
    return known ? Promise.resolve(known) : this.registry.ensure(ref.path);
  }
}
