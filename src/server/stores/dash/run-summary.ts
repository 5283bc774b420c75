/**
 * Summaries of the runs of a `.dash` root: each run's `experiment.json`, its status (as
 * recorded, or inferred for runs written by ML-Dash Python, which records none), when it was
 * last written, and its point counts. What the dashboard's tree and `ml-dash ls` show.
 */
import type { PlainObject } from "../../../model/values.ts";
import type { StorageAdapter, StorageStat } from "../../../storage/contract.ts";
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
  // One stat for each file of the run that matters and exists, all at once (they are independent,
  // their latency overlaps); the documents are read only when one of them changed since the last
  // summary of this run.
  const present = new Set(own);
  const docKeys = [runKeys.experiment, ...metaKeys, runKeys.logSequence, runKeys.filesMeta].filter((k) => present.has(k));
  const statKeys = [...new Set([...watched, ...docKeys])].filter((k) => present.has(k));
  const statOf = new Map(await Promise.all(statKeys.map(async (k) => [k, await storage.stat(paths.inRun(dir, k))] as const)));
  const stats = watched.map((k) => statOf.get(k) ?? null);
  const docStats = docKeys.map((k) => statOf.get(k) ?? null);
  const { doc, metrics, logs, files } = await runDocs(storage, dir, docKeys, docStats, metricNames, metaKeys, readDoc);
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
    logs,
    tracks,
    files,
    hasDashrc: present.has(runKeys.dashrc),
    hasReadme: present.has(runKeys.readme),
  };
}

/** What a summary takes from a run's documents. */
interface RunDocs {
  doc: PlainObject;
  metrics: Record<string, number>;
  logs: number;
  files: number;
}

/**
 * Documents read for summaries, by storage and run folder, with the stats they were read at.
 * Listing a folder of 200 runs read ~800 small files each time; now it stats them.
 */
const docsCache = new WeakMap<StorageAdapter, Map<string, { fingerprint: string; docs: RunDocs }>>();
/** Runs whose documents are remembered, per storage (the oldest are forgotten first). */
const DOCS_CACHED = 20_000;
/**
 * A document changed less than this long ago is read again every time: a later write in the same
 * tick of a coarse file clock could keep its size and time ("racy git": git's index does the same).
 */
const RACY_MS = 2_000;

/** The documents of run `dir` as `docStats` (the stats of `docKeys`) say they are now. */
async function runDocs(storage: StorageAdapter, dir: string, docKeys: readonly string[], docStats: readonly (StorageStat | null)[], metricNames: readonly string[], metaKeys: readonly string[], readDoc: DocReader): Promise<RunDocs> {
  let cache = docsCache.get(storage);
  if (!cache) docsCache.set(storage, (cache = new Map()));
  const settled = Date.now() - RACY_MS;
  const fingerprint = docStats.every((st) => st === null || (st.mtimeMs !== undefined && st.mtimeMs < settled))
    ? docKeys.map((k, i) => `${k}\u0000${docStats[i] ? `${docStats[i].size}:${docStats[i].mtimeMs}` : "-"}`).join("\u0000")
    : undefined;
  const hit = cache.get(dir);
  if (fingerprint !== undefined && hit?.fingerprint === fingerprint) return hit.docs;
  const [doc, metas, seq, files] = await Promise.all([
    readDoc(paths.experiment(dir)).then((d) => d ?? {}),
    Promise.all(metaKeys.map((k) => readDoc(paths.inRun(dir, k)))),
    docKeys.includes(runKeys.logSequence) ? storage.read(paths.logSequence(dir)) : null,
    docKeys.includes(runKeys.filesMeta) ? countFiles(storage, dir) : 0,
  ]);
  const metrics: Record<string, number> = {};
  metricNames.forEach((m, i) => {
    const meta = metas[i];
    metrics[m] = typeof meta?.["totalDataPoints"] === "number" ? meta["totalDataPoints"] : 0;
  });
  const docs = { doc, metrics, logs: seq ? Number(decoder.decode(seq).trim()) || 0 : 0, files };
  cache.delete(dir);
  if (fingerprint !== undefined) {
    cache.set(dir, { fingerprint, docs });
    if (cache.size > DOCS_CACHED) cache.delete(cache.keys().next().value as string);
  }
  return docs;
}

async function countFiles(storage: StorageAdapter, dir: string): Promise<number> {
  const doc = await readJsonDoc(storage, paths.filesMeta(dir));
  const files = doc?.["files"];
  return Array.isArray(files) ? files.filter((f) => f !== null && typeof f === "object" && !(f as PlainObject)["deletedAt"]).length : 0;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
