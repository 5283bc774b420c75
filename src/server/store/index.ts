/**
 * The store interface of `ml-dash serve`: what the REST routes and the dashboard's routes read
 * and write, in terms of projects, experiments, streams of records, parameters and files — never
 * bytes or paths of a layout. The embedded store keeps the `.dash` tree through a
 * `StorageAdapter` (`dashStore`); others (rows and objects of a database, an edge store) implement
 * the same interface and pass the same contract suite (`test/contract/run-store-contract.ts`).
 *
 * Stores throw the errors of `src/errors.ts` (`NotFoundError`, `ValidationError`,
 * `StreamGapError`, …); the HTTP layer maps them to statuses. A lookup that finds nothing
 * resolves to `undefined` instead, so the caller words the answer.
 */
import type { RunStoreFiles } from "./files.ts";
import type { RunStoreNodes } from "./nodes.ts";
import type { RunStoreParams } from "./params.ts";
import type { RunStoreReads } from "./reads.ts";
import type { RunStoreStreams } from "./streams.ts";

/**
 * Everything the server and the dashboard need from where runs are kept.
 *
 * @example
 * ```ts
 * const store = dashStore(nodeFsAdapter({ root: ".dash" }));
 * const server = createServer({ store });
 * server.app.route("/", createDashboardApp({ store }));
 * ```
 */
export interface RunStore extends RunStoreNodes, RunStoreParams, RunStoreStreams, RunStoreFiles, RunStoreReads {
  /** Resolves once the store can answer (the `.dash` store has indexed its tree). Starts that work on the first call. */
  ready(): Promise<void>;
  /**
   * Makes everything the store has acknowledged durable against power loss: the `.dash` store
   * fsyncs what changed since its last sync (concurrent calls share one), a database has
   * committed it already. The server calls it when a run's status is set and on a client's
   * sync request (`exp.flush()`); an append is answered once written, without one.
   */
  sync(): Promise<void>;
  /** Makes what it answered durable (see {@link sync}), then releases what the store holds (connections, the storage adapter it was given). */
  close(): Promise<void>;
}

export type { ExperimentQuery, RunStoreNodes } from "./nodes.ts";
export type { ParamsRecord, RunStoreParams } from "./params.ts";
export type { AppendOptions, Appended, LogPage, LogQuery, RunStoreStreams, StreamPosition, TrackInfo } from "./streams.ts";
export { batchLength } from "./streams.ts";
export type { RunStoreFiles } from "./files.ts";
export type { FileBody, RunFile, RunStoreReads, TrackAt, TrackSample, TrackSource } from "./reads.ts";
export type { DashStatus, ListRunsOptions, MetricInfo, RunOverview, RunSummary } from "./runs.ts";
export { inferStatus, README_BYTES } from "./runs.ts";
export type { SeriesPoints, SeriesRequest, SeriesResponse, SeriesSource } from "./series.ts";
export { bucketWidth, DEFAULT_X } from "./series.ts";
export type { ExperimentRecord, ExperimentRef, FileFolderRecord, FileRecord, FolderRecord, NodeRecord, ProjectRecord } from "./records.ts";
