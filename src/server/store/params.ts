/**
 * An experiment's parameters in a {@link RunStore}: one flat map (`model.layers`), merged by
 * every write, with a version that counts the writes.
 */
import type { PlainValue } from "../../model/values.ts";
import type { ExperimentRef } from "./records.ts";

/** The stored parameters. */
export interface ParamsRecord {
  /** Writes so far (1 after the first). */
  readonly version: number;
  /** Flat: nested objects are stored as dot keys. */
  readonly data: Readonly<Record<string, PlainValue>>;
  /** Set while `version` is 1 (Python drops it on the first update). */
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

/** Parameters. */
export interface RunStoreParams {
  /** The stored parameters, or undefined when none were ever written. */
  params(experiment: ExperimentRef): Promise<ParamsRecord | undefined>;
  /**
   * Merges `changed` (flat keys) into the stored parameters. The version goes up by one, or to
   * `version` when that is higher; a `version` already stored merges without counting a new
   * version (a replayed write is idempotent).
   */
  mergeParams(experiment: ExperimentRef, changed: Readonly<Record<string, PlainValue>>, options?: MergeParamsOptions): Promise<ParamsRecord>;
}

/** How parameters are merged. */
export interface MergeParamsOptions {
  readonly version?: number | undefined;
  /** Times of a copy (`ml-dash upload`), kept instead of now; stores that cannot keep them store now. */
  readonly createdAt?: string | undefined;
  readonly updatedAt?: string | undefined;
}
