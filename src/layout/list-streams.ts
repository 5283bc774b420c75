/**
 * The streams an experiment folder holds: its log, every metric and every track. Used to
 * compare a local store with a server (hybrid resume, `ml-dash upload`) and by the server to
 * report where each stream stands.
 */
import { paths } from "./paths.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import { streamId, type StreamId } from "../model/batch.ts";
import { readJsonDoc } from "./json-doc.ts";

const decoder = new TextDecoder();

/** A stream found in a folder, with the count its metadata records (0 when unknown). */
export interface ListedStream {
  readonly id: StreamId;
  /** Records the metadata says the stream holds (metadata.json / `.log_sequence`). */
  readonly recorded: number;
}


function count(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? Math.trunc(n) : 0;
}

/** Every stream with a data file in experiment folder `dir`. */
export async function listStreams(storage: StorageAdapter, dir: string): Promise<ListedStream[]> {
  const out: ListedStream[] = [];
  const keys = await storage.list(dir);
  const has = new Set(keys);
  if (has.has(paths.logs(dir))) {
    const seq = await storage.read(paths.logSequence(dir));
    out.push({ id: streamId("log", null), recorded: seq ? count(decoder.decode(seq).trim()) : 0 });
  }
  const metricsBase = paths.metricsDir(dir) + "/";
  const tracksBase = paths.tracksDir(dir) + "/";
  for (const key of keys) {
    if (!key.endsWith("/data.jsonl")) continue;
    if (key.startsWith(metricsBase)) {
      const name = key.slice(metricsBase.length, -"/data.jsonl".length);
      if (name.includes("/")) continue;
      const meta = await readJsonDoc(storage, paths.metricMeta(dir, name === "None" ? null : name));
      out.push({ id: streamId("metric", name === "None" ? null : name), recorded: count(meta?.["totalDataPoints"] ?? meta?.["nextIndex"]) });
    } else if (key.startsWith(tracksBase)) {
      const folder = key.slice(tracksBase.length, -"/data.jsonl".length);
      if (folder.includes("/")) continue;
      // The folder name replaced "/" by "_"; the topic itself is in the metadata.
      const meta = await readJsonDoc(storage, `${tracksBase}${folder}/metadata.json`);
      const topic = typeof meta?.["topic"] === "string" ? (meta["topic"] as string) : folder;
      out.push({ id: streamId("track", topic), recorded: count(meta?.["totalEntries"]) });
    }
  }
  return out;
}
