/**
 * Uploading a run from a local store to a server: what `ml-dash upload` does for each run of a
 * `.dash` tree (written by this SDK or by ML-Dash Python). It is resumable and idempotent by
 * construction: the server says where each of its streams ends, only the records after that
 * are read from the local files and sent, and every batch carries its position, so running it
 * twice (or after an interruption) never stores a record twice.
 */
import type { ExperimentInfo } from "../backend.ts";
import { MlDashError, RemoteError } from "../errors.ts";
import { isPlainObject, type PlainObject, type PlainValue } from "../internal/values.ts";
import { paths } from "../layout/paths.ts";
import { parsePyJson } from "../layout/py-json-parse.ts";
import { listStreams } from "../local/list-streams.ts";
import { parsePrefix } from "../prefix.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import type { StreamId } from "../streams.ts";
import type { RemoteClient } from "./client.ts";
import { createRemoteExperiment } from "./experiment-api.ts";
import { LocalStreamSource } from "./local-tail.ts";
import { sendBatch, StreamGap } from "./send-batch.ts";

/** Progress of an upload, reported after every batch. */
export interface SyncProgress {
  readonly dir: string;
  readonly stream: StreamId;
  /** Records the server holds now. */
  readonly done: number;
  /** Records the local metadata says the stream has (0 when it does not say). */
  readonly total: number;
}

/** What uploading one run did. */
export interface SyncResult {
  readonly dir: string;
  readonly id: string;
  /** Records sent (the server did not have them). */
  readonly sent: number;
  /** Records the server already held. */
  readonly skipped: number;
  readonly bytes: number;
}

const decoder = new TextDecoder();

async function readDoc(storage: StorageAdapter, key: string): Promise<Record<string, unknown> | undefined> {
  const bytes = await storage.read(key);
  if (!bytes) return undefined;
  try {
    const v = parsePyJson(decoder.decode(bytes));
    return isPlainObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Every experiment folder of a store (folders holding an experiment.json), sorted. */
export async function findRuns(storage: StorageAdapter, prefix = ""): Promise<string[]> {
  const keys = await storage.list(prefix.replace(/\/+$/, ""));
  return keys.filter((k) => k.endsWith("/experiment.json")).map((k) => k.slice(0, -"/experiment.json".length));
}

/** Uploads the run in folder `dir` of `storage` to the server behind `client`. */
export async function uploadRun(
  client: RemoteClient,
  storage: StorageAdapter,
  dir: string,
  onProgress?: (p: SyncProgress) => void,
  chunk = 10_000,
): Promise<SyncResult> {
  const doc = (await readDoc(storage, paths.experiment(dir))) ?? {};
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined);
  const info: ExperimentInfo = {
    prefix: parsePrefix(dir),
    description: typeof doc["description"] === "string" ? doc["description"] : undefined,
    tags: strings(doc["tags"]),
    bindrs: strings(doc["bindrs"]),
    metadata: isPlainObject(doc["metadata"]) ? (doc["metadata"] as PlainObject) : undefined,
  };
  const exp = await createRemoteExperiment(client, info);
  const id = encodeURIComponent(exp.id);
  let sent = 0;
  let skipped = 0;
  let bytes = 0;

  const params = await readDoc(storage, paths.parameters(dir));
  if (params && isPlainObject(params["data"]) && Object.keys(params["data"]).length > 0) {
    // A merge: sending the same params again changes nothing.
    await client.request("POST", `experiments/${id}/parameters`, { json: { data: params["data"] as Record<string, PlainValue>, version: params["version"] } });
  }

  for (const { id: stream, recorded } of await listStreams(storage, dir)) {
    let from = exp.positions?.get(stream.key) ?? (await serverCount(client, id, stream, exp.positions !== undefined));
    const start = from;
    const source = new LocalStreamSource(storage, dir, stream);
    onProgress?.({ dir, stream, done: from, total: recorded });
    for (;;) {
      const batch = await source.batch(from, chunk);
      if (!batch) break;
      try {
        const r = await sendBatch(client, exp.id, batch);
        bytes += r.bytes;
        from = r.next;
      } catch (err) {
        if (!(err instanceof StreamGap)) throw err;
        from = err.next; // the server has fewer than it said: resend from there
        continue;
      }
      onProgress?.({ dir, stream, done: from, total: Math.max(recorded, from) });
    }
    sent += Math.max(0, from - start);
    skipped += start;
  }

  const status = doc["status"];
  if (status === "COMPLETED" || status === "FAILED" || status === "CANCELLED") {
    await client.request("PATCH", `nodes/${encodeURIComponent(exp.nodeId)}`, { json: { status } });
  }
  return { dir, id: exp.id, sent, skipped, bytes };
}

/** Where a stream ends on a server that does not report positions (metrics only; else 0). */
async function serverCount(client: RemoteClient, id: string, stream: StreamId, reported: boolean): Promise<number> {
  if (reported || stream.kind !== "metric") return 0;
  try {
    const r = await client.request<Record<string, unknown>>("GET", `experiments/${id}/metrics/${encodeURIComponent(stream.name ?? "None")}/stats`);
    return Number(r.data?.["totalDataPoints"] ?? 0) || 0;
  } catch (err) {
    if (err instanceof RemoteError && err.status === 404) return 0;
    throw err instanceof MlDashError ? err : new RemoteError(String(err), 0, undefined);
  }
}
