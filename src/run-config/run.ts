/**
 * `RUN`: the process-wide run defaults of ML-Dash Python's `RUN` class — user, project, the
 * prefix template, the entry script, the job counter — and `RunConfig`, one experiment's copy
 * of them after its templates were expanded (`exp.runConfig`).
 */
import type { RunParams } from "../model/run-params.ts";
import { atLeast, leaf, optional, strictObject, text } from "../internal/schema.ts";

/** `{project}/{now:%Y/%m-%d}/{pathStem}/{jobName}`: the prefix when none is given (Python's, in camelCase). */
export const DEFAULT_PREFIX_TEMPLATE = "{project}/{now:%Y/%m-%d}/{pathStem}/{jobName}";
/** `{user}/scratch`: the default project (its first segment becomes the owner). */
export const DEFAULT_PROJECT_TEMPLATE = "{user}/scratch";
/** `{now:%H.%M.%S}/{jobCounter:03d}`: the default job name. */
export const DEFAULT_JOB_NAME_TEMPLATE = "{now:%H.%M.%S}/{jobCounter:03d}";

/**
 * The process-wide defaults every new Experiment copies (Python's class-level `RUN`). Fields
 * left `undefined` are filled per experiment: `user` from `ML_DASH_USER`, then `USER` (browsers:
 * the page or worker name); `prefix` from `ML_DASH_PREFIX` / `DASH_PREFIX`, then
 * {@link DEFAULT_PREFIX_TEMPLATE}; `entry` from the runtime's main module.
 */
export interface RunDefaults {
  user: string | undefined;
  project: string;
  prefix: string | undefined;
  /** A template field only; the experiment description is the `readme` option. */
  readme: string | undefined;
  /** A snowflake id (decimal string); `{EXP.id}` generates one per experiment when unset. */
  id: string | undefined;
  /** Taken once, the first time it is read (Python: at import), and shared by later experiments. */
  now: Date;
  projectRoot: string | undefined;
  /** The script: `import.meta.url`, an absolute path, or a path relative to the working directory. */
  entry: string | URL | undefined;
  pathStem: string | undefined;
  /** The next experiment's job number; every Experiment takes it and adds one. */
  jobCounter: number;
  jobName: string;
  debug: boolean;
}

export type { RunParams } from "../model/run-params.ts";

let now: Date | undefined;

/** Two digits, as strftime pads (the run's `date` needs no more of strftime, which loads with templates). */
const two = (n: number): string => String(n).padStart(2, "0");

/**
 * The run defaults. Set fields before creating experiments.
 *
 * @example
 * ```ts
 * import { Experiment, RUN } from "ml-dash";
 * RUN.entry = import.meta.url;      // the prefix follows this script
 * const exp = new Experiment();     // alice/scratch/2026/11-26/scripts/train/06.20.53/000
 * ```
 */
export const RUN: RunDefaults = {
  user: undefined,
  project: DEFAULT_PROJECT_TEMPLATE,
  prefix: undefined,
  readme: undefined,
  id: undefined,
  get now(): Date {
    return (now ??= new Date());
  },
  set now(value: Date) {
    now = value;
  },
  projectRoot: undefined,
  entry: undefined,
  pathStem: undefined,
  jobCounter: 0,
  jobName: DEFAULT_JOB_NAME_TEMPLATE,
  debug: false,
};

/** One experiment's run fields after expansion (`exp.runConfig`). */
export class RunConfig {
  user: string | undefined = undefined;
  project: string | undefined = undefined;
  /** The expanded prefix, as given (the Experiment's `prefix` drops leading and trailing `/`). */
  prefix = "";
  readme: string | undefined = undefined;
  id: string | undefined = undefined;
  now: Date = new Date(0);
  /** Always unset (Python declares it and never fills it). */
  timestamp: string | undefined = undefined;
  projectRoot: string | undefined = undefined;
  /** The resolved entry path. */
  entry: string | undefined = undefined;
  pathStem: string | undefined = undefined;
  jobCounter = 0;
  jobName = "";
  debug = false;
  owner: string | undefined = undefined;
  name: string | undefined = undefined;

  /** `now` as `YYYYMMDD` (strftime `%Y%m%d`, local time). */
  get date(): string {
    const d = this.now;
    return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}`;
  }

  /** `now` as `YYYYMMDD.HHMMSS` (strftime `%Y%m%d.%H%M%S`, local time). */
  get datetimeStr(): string {
    const d = this.now;
    return `${this.date}.${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
  }
}

const nonNegativeInt = atLeast(0, true);
const validDate = leaf<Date>("a valid Date", (x) => x instanceof Date && !Number.isNaN(x.getTime()));
const snowflake = leaf<string | bigint>("a decimal snowflake id (a string of digits or a bigint)", (x) => typeof x === "bigint" || (typeof x === "string" && /^\d+$/.test(x)));
const entry = leaf<string | URL>("a string or a URL", (x) => typeof x === "string" || x instanceof URL);

/** The `run` option of an Experiment (strict: an unknown key is an error). */
export const RunParamsSchema = strictObject({
  user: optional(text),
  project: optional(text),
  prefix: optional(text),
  readme: optional(text),
  id: optional(snowflake),
  now: optional(validDate),
  projectRoot: optional(text),
  entry: optional(entry),
  pathStem: optional(text),
  jobCounter: optional(nonNegativeInt),
  jobName: optional(text),
});

/**
 * What {@link RUN} may hold (checked when an Experiment copies it). Strict, so it is checked
 * against RUN's own fields only (see `resolve.ts`): other keys set on RUN are ignored, as before.
 */
export const RunDefaultsSchema = strictObject({
  user: optional(text),
  project: text,
  prefix: optional(text),
  readme: optional(text),
  id: optional(snowflake),
  now: validDate,
  projectRoot: optional(text),
  entry: optional(entry),
  pathStem: optional(text),
  jobCounter: nonNegativeInt,
  jobName: text,
  debug: leaf<boolean>("a boolean", (x) => typeof x === "boolean"),
});
