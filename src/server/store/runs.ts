/**
 * Run summaries: what the dashboard's tree and `ml-dash ls` show of each run — its status (as
 * recorded, or inferred for runs ML-Dash Python wrote, which record none), when it was last
 * written, and its counts — and a run's overview (the dashboard's run page).
 */
import type { PlainObject } from "../../model/values.ts";
import type { ParamsRecord } from "./params.ts";
import type { TrackInfo } from "./streams.ts";

/** Statuses a run records, plus the one the dashboard infers for a quiet run without a status. */
export type DashStatus = "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED" | "IDLE";

/** One run. */
export interface RunSummary {
  /** The run's prefix: `owner/project/…/name`. */
  path: string;
  owner: string;
  project: string;
  /** Folders between the project and the run (`""` when none). */
  folder: string;
  name: string;
  status: DashStatus;
  /** True when no status was recorded and `status` is a guess from write times. */
  inferred: boolean;
  /** Recorded RUNNING, but nothing was written for a long time (the writer probably died). */
  stale: boolean;
  description: string | null;
  tags: string[];
  createdAt: string | null;
  /** Last write to any of the run's records (ISO), or `updated_at`. */
  lastWriteAt: string | null;
  /** Points per metric (`None` for the unnamed metric). */
  metrics: Record<string, number>;
  /** Sum of `metrics`. */
  points: number;
  logs: number;
  tracks: number;
  files: number;
  hasDashrc: boolean;
  hasReadme: boolean;
}

/** Options of run listings and summaries. */
export interface ListRunsOptions {
  /** A run without a recorded status counts as RUNNING when written within this window. Default 60 s. */
  readonly liveWindowMs?: number;
  /** A recorded RUNNING run silent for longer is flagged `stale`. Default 10 min. */
  readonly staleAfterMs?: number;
  /** Only runs below this folder (`owner/project/...`). */
  readonly under?: string;
  /** Clock (tests). */
  readonly now?: () => number;
}

const RECORDED = new Set(["RUNNING", "COMPLETED", "FAILED", "CANCELLED"]);

/**
 * The status a summary shows, from the recorded one (any case) and the last write (epoch ms,
 * 0 = unknown): every store infers the same way.
 */
export function inferStatus(recorded: string | undefined, lastWriteMs: number, options: ListRunsOptions = {}): Pick<RunSummary, "status" | "inferred" | "stale"> {
  const now = (options.now ?? Date.now)();
  const upper = recorded?.toUpperCase();
  const known = upper !== undefined && RECORDED.has(upper);
  const quiet = lastWriteMs > 0 ? now - lastWriteMs : Infinity;
  const status: DashStatus = known ? (upper as DashStatus) : quiet <= (options.liveWindowMs ?? 60_000) ? "RUNNING" : "IDLE";
  return { status, inferred: !known, stale: known && status === "RUNNING" && quiet > (options.staleAfterMs ?? 600_000) };
}

/** A metric as a run's overview lists it. */
export interface MetricInfo {
  /** The metric's name (`None` for the unnamed metric). */
  name: string;
  points: number;
  /** Fields holding numbers somewhere (chartable), in first-seen order. */
  fields: string[];
  /** The last point's data (the header row of a `.dashrc`). */
  last: PlainObject | null;
  description: string | null;
  updatedAt: string | null;
}

/** Bytes of a run's README an overview carries. */
export const README_BYTES = 64 * 1024;

/** Everything the run page shows at first. */
export interface RunOverview {
  readonly summary: RunSummary;
  /** The experiment's attributes as ML-Dash Python stores them (`experiment.json`'s snake_case keys). */
  readonly experiment: PlainObject;
  readonly params: ParamsRecord | undefined;
  readonly metrics: MetricInfo[];
  readonly tracks: TrackInfo[];
  /** The run's `.dashrc` text, if it has one. */
  readonly dashrc: string | null;
  /** The first {@link README_BYTES} of its README, if it has one. */
  readonly readme: string | null;
}
