/**
 * What the dashboard reads from a {@link RunStore} beyond the REST API's reads: run summaries
 * (the tree, `ml-dash ls`), a run's overview, chart series, sampled tracks and the entry at a
 * time, the files of a run (those saved through the files API, and any others a store keeps
 * beside them) with ranged reads, and `.dashrc` layouts.
 */
import type { TrackRecord } from "../../model/backend.ts";
import type { ExperimentRef } from "./records.ts";
import type { ListRunsOptions, RunOverview, RunSummary } from "./runs.ts";
import type { SeriesSource } from "./series.ts";

/** A track sampled for a chart or table. */
export interface TrackSample {
  /** Entries stored. */
  readonly total: number;
  /** True when only every n-th entry (and the last) is returned. */
  readonly sampled: boolean;
  /** Time of the first and last entry. */
  readonly first: number | null;
  readonly last: number | null;
  /** Every column of every entry (`timestamp` aside), sorted. */
  readonly columns: string[];
  /** Entries sorted by time (stable). */
  readonly entries: TrackRecord[];
}

/** The entry of a track at a time (floor match). */
export interface TrackAt {
  /** Position of the last entry at or before the time, in time order; -1 when there is none. */
  readonly index: number;
  /** That entry, merged with the entries sharing its timestamp (as the SDK reads them); null when none. */
  readonly entry: TrackRecord | null;
  readonly total: number;
  /** Time of the first entry. */
  readonly first: number | null;
}

/** One track, ready to be sampled or looked up by time. */
export interface TrackSource {
  /** Changes whenever entries are added (an ETag's material, known before anything is computed). */
  readonly revision: string;
  /** About `limit` entries (every n-th and the last). */
  sample(limit: number): Promise<TrackSample>;
  /** The entry at time `t`. */
  at(t: number): Promise<TrackAt>;
}

/** A file of a run. */
export interface RunFile {
  id: string;
  /** Logical folder, as saved (`/images`). */
  dir: string;
  filename: string;
  /** `dir/filename` without the leading `/` (what `.dashrc` globs match). */
  relPath: string;
  sizeBytes: number;
  contentType: string;
  checksum: string | null;
  uploadedAt: string | null;
  description: string | null;
  tags: string[];
  /** `saved` = through the files API; `loose` = kept beside the run's records by other means. */
  source: "saved" | "loose";
}

/** The bytes of a file, read whole or by range. */
export interface FileBody {
  readonly size: number;
  /** Last change (epoch ms), when known. */
  readonly modifiedMs: number | undefined;
  /** The whole content; null when it vanished since it was opened. */
  stream(): Promise<ReadableStream<Uint8Array> | Uint8Array | null>;
  /** Bytes `[start, end)`. */
  range(start: number, end: number): Promise<Uint8Array>;
}

/** Dashboard reads. */
export interface RunStoreReads {
  /** Every run (below `options.under`), sorted by path. */
  runs(options?: ListRunsOptions): Promise<RunSummary[]>;
  /** A run's summary, attributes, parameters, metrics, tracks, `.dashrc` and README. */
  overview(experiment: ExperimentRef, options?: ListRunsOptions): Promise<RunOverview>;
  /** Metric `name` (null = the unnamed metric) ready for series requests; undefined when the run has no such metric. */
  series(experiment: ExperimentRef, name: string | null): Promise<SeriesSource | undefined>;
  /** Track `topic` ready for samples and lookups by time; undefined when the run has no such track. */
  track(experiment: ExperimentRef, topic: string): Promise<TrackSource | undefined>;
  /** The run's live files: saved ones first (newest first), then any others by name. */
  runFiles(experiment: ExperimentRef): Promise<RunFile[]>;
  /** File `id` of {@link runFiles} and its bytes (null when they are missing); undefined when there is no such file. */
  openRunFile(experiment: ExperimentRef, id: string): Promise<{ readonly file: RunFile; readonly body: FileBody | null } | undefined>;
  /** The `.dashrc` text of a folder (a run's, or any folder's compare view), or null. */
  dashrc(folder: string): Promise<string | null>;
  /**
   * A hint: these runs' series are about to be asked for (most wanted first). A store with
   * caches starts filling them in the background; others ignore it.
   */
  prewarm(runs: readonly string[]): void;
}
