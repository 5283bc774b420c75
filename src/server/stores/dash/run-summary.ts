/**
 * Summaries of the runs of a `.dash` root: each run's `experiment.json`, its status (as
 * recorded, or inferred for runs written by ML-Dash Python, which records none), when it was
 * last written, and its point counts. What the dashboard's tree and `ml-dash ls` show.
 */
import type { PlainObject } from "../../../model/values.ts";
import type { StorageAdapter } from "../../../storage/contract.ts";
import { readJsonDoc } from "../../../layout/json-doc.ts";
import { paths, runKeys } from "../../../layout/paths.ts";
import { listRunFolders } from "../../../layout/run-folders.ts";
import { inferStatus, type ListRunsOptions, type RunSummary } from "../../store/runs.ts";
import { mapLimit } from "../../../internal/map-limit.ts";

const decoder = new TextDecoder();
/** Runs summarised at once: their small reads overlap (a folder of 200 runs is read ~8× faster than one by one). */
const PARALLEL_RUNS = 8;

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
  const { runs, keys } = await listRunFolders(storage, options.under);
  const byRun = groupByRun(keys, runs);
  return mapLimit([...byRun], PARALLEL_RUNS, ([dir, own]) => sharedSummary(storage, dir, own, options));
}

/** Summaries being computed, by storage and run folder (the tree and a runs table list the same runs at once). */
const inflight = new WeakMap<StorageAdapter, Map<string, { own: string; options: ListRunsOptions; summary: Promise<RunSummary> }>>();

/** {@link summarize}, joining a summary of the same run (same keys, same options) already being computed. */
function sharedSummary(storage: StorageAdapter, dir: string, own: readonly string[], options: ListRunsOptions): Promise<RunSummary> {
  let running = inflight.get(storage);
  if (!running) inflight.set(storage, (running = new Map()));
  const ownKey = own.join("\n");
  const hit = running.get(dir);
  if (hit && hit.own === ownKey && hit.options.now === options.now && hit.options.staleAfterMs === options.staleAfterMs && hit.options.liveWindowMs === options.liveWindowMs) return hit.summary;
  const map = running;
  const summary: Promise<RunSummary> = summarize(storage, dir, own, options).finally(() => {
    if (map.get(dir)?.summary === summary) map.delete(dir);
  });
  map.set(dir, { own: ownKey, options, summary });
  return summary;
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

/** The keys of run folder `dir`, relative to it. */
export async function runKeysOf(storage: StorageAdapter, dir: string): Promise<string[]> {
  return (await storage.list(dir)).map((k) => k.slice(dir.length + 1));
}

/** Reads a JSON document of the layout (`readJsonDoc`, or a memo of it shared by the parts of one answer). */
export type DocReader = (key: string) => Promise<PlainObject | undefined>;

/** A {@link DocReader} that reads each key once (for the parts of one answer, which read the same documents). */
export function docMemo(storage: StorageAdapter): DocReader {
  const seen = new Map<string, Promise<PlainObject | undefined>>();
  return (key) => {
    let doc = seen.get(key);
    if (!doc) seen.set(key, (doc = readJsonDoc(storage, key)));
    return doc;
  };
}

/** Summarises one run from its own keys (relative to the run folder). */
export async function summarize(storage: StorageAdapter, dir: string, own: readonly string[], options: ListRunsOptions = {}, readDoc: DocReader = (k) => readJsonDoc(storage, k)): Promise<RunSummary> {
  const now = (options.now ?? Date.now)();
  const parts = dir.split("/");
  const watched: string[] = [runKeys.experiment, runKeys.parameters, runKeys.logs];
  const metricNames: string[] = [];
  const metaKeys: string[] = [];
  let tracks = 0;
  for (const k of own) {
    const metric = runKeys.metricMetaDir(k);
    const track = metric === undefined ? runKeys.trackMetaDir(k) : undefined;
    if (metric !== undefined) {
      metricNames.push(metric);
      metaKeys.push(k);
      watched.push(runKeys.metricData(metric));
    } else if (track !== undefined) {
      tracks++;
      watched.push(runKeys.trackDataOfDir(track));
    }
  }
  // Every read of the run at once: they are independent, and their latency overlaps.
  const [doc, metas, stats, seq, files] = await Promise.all([
    readDoc(paths.experiment(dir)).then((d) => d ?? {}),
    Promise.all(metaKeys.map((k) => readDoc(paths.inRun(dir, k)))),
    Promise.all(watched.map((k) => (own.includes(k) ? storage.stat(paths.inRun(dir, k)) : null))),
    storage.read(paths.logSequence(dir)),
    countFiles(storage, dir, own),
  ]);
  const metrics: Record<string, number> = {};
  metricNames.forEach((m, i) => {
    const meta = metas[i];
    metrics[m] = typeof meta?.["totalDataPoints"] === "number" ? meta["totalDataPoints"] : 0;
  });
  let lastWrite = 0;
  for (const st of stats) if (st?.mtimeMs !== undefined && st.mtimeMs > lastWrite) lastWrite = st.mtimeMs;
  const updatedAt = str(doc["updated_at"]) ?? str(doc["created_at"]);
  if (lastWrite === 0 && updatedAt) lastWrite = Date.parse(updatedAt) || 0;
  return {
    path: dir,
    owner: parts[0] as string,
    project: str(doc["project"]) ?? (parts[1] as string),
    folder: parts.slice(2, -1).join("/"),
    name: parts[parts.length - 1] as string,
    ...inferStatus(str(doc["status"]), lastWrite, { ...options, now: () => now }),
    description: str(doc["description"]) ?? null,
    tags: Array.isArray(doc["tags"]) ? doc["tags"].filter((t): t is string => typeof t === "string") : [],
    createdAt: str(doc["created_at"]) ?? null,
    lastWriteAt: lastWrite > 0 ? new Date(lastWrite).toISOString() : null,
    metrics,
    points: Object.values(metrics).reduce((a, b) => a + b, 0),
    logs: seq ? Number(decoder.decode(seq).trim()) || 0 : 0,
    tracks,
    files,
    hasDashrc: own.includes(runKeys.dashrc),
    hasReadme: own.includes(runKeys.readme),
  };
}

async function countFiles(storage: StorageAdapter, dir: string, own: readonly string[]): Promise<number> {
  if (!own.includes(runKeys.filesMeta)) return 0;
  const doc = await readJsonDoc(storage, paths.filesMeta(dir));
  const files = doc?.["files"];
  return Array.isArray(files) ? files.filter((f) => f !== null && typeof f === "object" && !(f as PlainObject)["deletedAt"]).length : 0;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
