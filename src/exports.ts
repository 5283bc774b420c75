/**
 * Everything `ml-dash/core` exports (`index.ts`), without registering the prefix-template code:
 * the browser entry re-exports this, so a page loads that code only when a prefix holds a
 * template (`src/run-config/engine.ts`).
 */
import { Experiment } from "./api/experiment.ts";
import { makeWithExperiment, type WithExperiment } from "./api/with-experiment.ts";

export { Experiment, type ExperimentStatus } from "./api/experiment.ts";
export type { RunHandle } from "./api/run-handle.ts";
export type { ExperimentOptions, TokenOption } from "./api/options.ts";
export type { RemoteOptions, UnloadResult } from "./backends/remote/index.ts";
export type { Mode } from "./api/modes.ts";
export type { BufferOptions, DropInfo } from "./model/options.ts";
export type { ExperimentStats } from "./model/stats.ts";
export type { RunStatus, MetricPage, MetricStats, MetricSummary, TrackRecord, StoredLog, TrackReadOptions } from "./model/backend.ts";
export type { StorageAdapter, StorageCapabilities, StorageStat } from "./storage/contract.ts";
export type { RuntimeHooks } from "./model/runtime-hooks.ts";
export type { LogOptions } from "./api/logs.ts";
export type { Params, ParamsGetOptions } from "./api/params.ts";
export type { Logs } from "./api/logs.ts";
export type { Metrics } from "./api/metrics/metrics.ts";
export type { MetricBuilder, MetricData, MetricOptions, MetricReadOptions, SummaryBuffer, SummaryCache } from "./api/metrics/metric-builder.ts";
export type { Aggregation } from "./model/aggregation.ts";
export type { Tracks, TrackBuilder, TrackData } from "./api/tracks/tracks.ts";
export { TrackSlice } from "./api/tracks/track-slice.ts";
export type { Files } from "./api/files/accessor.ts";
export type { FileBuilder } from "./api/files/builder.ts";
export type { FileData } from "./files/content.ts";
export type { ImageSource, CanvasSource } from "./files/image-encode.ts";
export type { PixelData } from "./files/image-input.ts";
export type { LocalFile, LocalFileSystem } from "./files/local-fs.ts";
export type { Sha256 } from "./files/sha256.ts";
export type { TfjsIOHandler, TfjsModelArtifacts, TfjsSaveResult } from "./files/tfjs-handler.ts";
export type * from "./files/types.ts";
export type { PlainValue, PlainObject } from "./model/values.ts";
export type { LogLevel } from "./model/batch.ts";
export type { WithExperiment } from "./api/with-experiment.ts";
export { makeWithExperiment } from "./api/with-experiment.ts";
export { parsePrefix, type ParsedPrefix } from "./model/prefix.ts";
export { RUN, DEFAULT_PREFIX_TEMPLATE, type RunDefaults, type RunParams, type RunConfig } from "./run-config/run.ts";
export { generateSnowflakeId, parseSnowflakeId, type SnowflakeParts } from "./run-config/snowflake.ts";
export {
  MlDashError,
  ValidationError,
  ExperimentNotStartedError,
  StorageError,
  NotFoundError,
  DataLossError,
  RemoteError,
  NetworkError,
  AuthenticationError,
  ConfigurationError,
  type MlDashErrorOptions,
} from "./errors.ts";

/**
 * Runs `fn` inside a new experiment's `run` on every call of the returned function.
 *
 * @example
 * ```ts
 * const train = withExperiment({ prefix: "alice/mnist/run", storage }, async (exp, epochs: number) => {
 *   for (let e = 0; e < epochs; e++) exp.metrics("train").log({ epoch: e });
 * });
 * await train(10);
 * ```
 */
export const withExperiment: WithExperiment<Experiment> = makeWithExperiment(Experiment);
