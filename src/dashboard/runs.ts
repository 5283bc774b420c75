/**
 * Finding runs in a `.dash` root and summarising each: its `experiment.json`, its status (as
 * recorded, or inferred for runs written by ML-Dash Python, which records none), when it was
 * last written, and its point counts. Used by the dashboard's tree and by `ml-dash ls`.
 */
import type { PlainObject } from "../model/values.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import { readJsonDoc } from "../layout/json-doc.ts";

export { readJsonDoc };

/** Statuses a run records (`experiment.json` `status`), plus the two the dashboard infers. */
export type DashStatus = "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED" | "IDLE";

/** One run of the root. */
export interface RunSummary {
  /** The folder relative to the root: `owner/project/…/name`. */
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
  /** Last write to any of the run's data files (ISO), or `updated_at`. */
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

/** Options of {@link listRuns}. */
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

const decoder = new TextDecoder();


/**
 * The run folders of a key listing: folders holding an `experiment.json` that are not inside
 * another run (a user file named `experiment.json` under `files/` is not a run).
 */
export function runFolders(keys: readonly string[]): string[] {
  const dirs = keys.filter((k) => k.endsWith("/experiment.json")).map((k) => k.slice(0, -"/experiment.json".length));
  const set = new Set(dirs);
  return dirs
    .filter((d) => {
      if (d.split("/").length < 2) return false;
      for (let p = d.lastIndexOf("/"); p > 0; p = d.lastIndexOf("/", p - 1)) if (set.has(d.slice(0, p))) return false;
      return true;
    })
    .sort();
}

/**
 * Every run of the root, sorted by path.
 *
 * @example
 * ```ts
 * const runs = await listRuns(nodeFsAdapter({ root: ".dash" }));
 * console.log(formatRunsTable(runs));
 * ```
 */
export async function listRuns(storage: StorageAdapter, options: ListRunsOptions = {}): Promise<RunSummary[]> {
  const under = options.under?.replace(/^\/+|\/+$/g, "") ?? "";
  const keys = await storage.list(under);
  const byRun = groupByRun(keys, runFolders(keys));
  const out: RunSummary[] = [];
  for (const [dir, own] of byRun) out.push(await summarize(storage, dir, own, options));
  return out;
}

/** Groups the keys of each run folder (keys of nested runs stay with their own run). */
function groupByRun(keys: readonly string[], dirs: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>(dirs.map((d) => [d, []]));
  for (const k of keys) {
    // The longest run folder that is a prefix of the key (runs do not nest, so the first match).
    for (let p = k.lastIndexOf("/"); p > 0; p = k.lastIndexOf("/", p - 1)) {
      const own = map.get(k.slice(0, p));
      if (own) {
        own.push(k.slice(p + 1));
        break;
      }
    }
  }
  return map;
}

/** Summarises one run from its own keys (relative to the run folder). */
export async function summarize(storage: StorageAdapter, dir: string, own: readonly string[], options: ListRunsOptions = {}): Promise<RunSummary> {
  const now = (options.now ?? Date.now)();
  const doc = (await readJsonDoc(storage, `${dir}/experiment.json`)) ?? {};
  const parts = dir.split("/");
  const metrics: Record<string, number> = {};
  let lastWrite = 0;
  const watched: string[] = ["experiment.json", "parameters.json", "logs/logs.jsonl"];
  let tracks = 0;
  for (const k of own) {
    const m = /^metrics\/([^/]+)\/metadata\.json$/.exec(k);
    if (m) {
      const meta = await readJsonDoc(storage, `${dir}/${k}`);
      metrics[m[1] as string] = typeof meta?.["totalDataPoints"] === "number" ? meta["totalDataPoints"] : 0;
      watched.push(`metrics/${m[1]}/data.jsonl`);
    } else if (/^tracks\/[^/]+\/metadata\.json$/.test(k)) {
      tracks++;
      watched.push(k.replace(/metadata\.json$/, "data.jsonl"));
    }
  }
  for (const k of watched) {
    const st = own.includes(k) ? await storage.stat(`${dir}/${k}`) : null;
    if (st?.mtimeMs !== undefined && st.mtimeMs > lastWrite) lastWrite = st.mtimeMs;
  }
  const updatedAt = str(doc["updated_at"]) ?? str(doc["created_at"]);
  if (lastWrite === 0 && updatedAt) lastWrite = Date.parse(updatedAt) || 0;
  const recorded = str(doc["status"])?.toUpperCase();
  const known = recorded === "RUNNING" || recorded === "COMPLETED" || recorded === "FAILED" || recorded === "CANCELLED";
  const quiet = lastWrite > 0 ? now - lastWrite : Infinity;
  const status: DashStatus = known ? (recorded as DashStatus) : quiet <= (options.liveWindowMs ?? 60_000) ? "RUNNING" : "IDLE";
  const seq = await storage.read(`${dir}/logs/.log_sequence`);
  const files = await countFiles(storage, dir, own);
  return {
    path: dir,
    owner: parts[0] as string,
    project: str(doc["project"]) ?? (parts[1] as string),
    folder: parts.slice(2, -1).join("/"),
    name: parts[parts.length - 1] as string,
    status,
    inferred: !known,
    stale: known && status === "RUNNING" && quiet > (options.staleAfterMs ?? 600_000),
    description: str(doc["description"]) ?? null,
    tags: Array.isArray(doc["tags"]) ? doc["tags"].filter((t): t is string => typeof t === "string") : [],
    createdAt: str(doc["created_at"]) ?? null,
    lastWriteAt: lastWrite > 0 ? new Date(lastWrite).toISOString() : null,
    metrics,
    points: Object.values(metrics).reduce((a, b) => a + b, 0),
    logs: seq ? Number(decoder.decode(seq).trim()) || 0 : 0,
    tracks,
    files,
    hasDashrc: own.includes(".dashrc"),
    hasReadme: own.includes("README.md"),
  };
}

async function countFiles(storage: StorageAdapter, dir: string, own: readonly string[]): Promise<number> {
  if (!own.includes("files/.files_metadata.json")) return 0;
  const doc = await readJsonDoc(storage, `${dir}/files/.files_metadata.json`);
  const files = doc?.["files"];
  return Array.isArray(files) ? files.filter((f) => f !== null && typeof f === "object" && !(f as PlainObject)["deletedAt"]).length : 0;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
