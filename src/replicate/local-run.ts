/**
 * What a server is caught up with besides the streams (see `local-tail.ts`), read out of a local
 * experiment folder: its description (experiment.json), its params (parameters.json) and its
 * final status. Used by the hybrid backend at connect and by `ml-dash upload`; tolerant of
 * runs written by ML-Dash Python and of missing or corrupt documents.
 */
import type { ExperimentInfo, RunStatus } from "../model/backend.ts";
import { readJsonDoc } from "../layout/json-doc.ts";
import { paths } from "../layout/paths.ts";
import type { ParsedPrefix } from "../model/prefix.ts";
import { isPlainObject, type PlainObject, type PlainValue } from "../model/values.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import { listStreams } from "../layout/list-streams.ts";
import { isWriterId, newWriterId } from "../protocol/writer-id.ts";

/** A run's stored description and final status. */
export interface LocalRun {
  readonly info: ExperimentInfo;
  /** The status experiment.json records when the run ended (`undefined` while running or unknown). */
  readonly ended: Exclude<RunStatus, "RUNNING"> | undefined;
  /**
   * experiment.json records a status at all. ML-Dash Python never does (its local runs have no
   * status), and `ml-dash upload` then infers COMPLETED: a run is uploaded once it is done.
   * A recorded `RUNNING` (this SDK, while the run is open or after its process died) is kept.
   */
  readonly recorded: boolean;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined);

/** The description of the run at `prefix` (its folder in the store). */
export async function localRun(storage: StorageAdapter, prefix: ParsedPrefix): Promise<LocalRun> {
  const doc = (await readJsonDoc(storage, paths.experiment(prefix.path))) ?? {};
  const status = doc["status"];
  return {
    info: {
      prefix,
      description: typeof doc["description"] === "string" ? doc["description"] : undefined,
      tags: strings(doc["tags"]),
      bindrs: strings(doc["bindrs"]),
      metadata: isPlainObject(doc["metadata"]) ? (doc["metadata"] as PlainObject) : undefined,
    },
    ended: status === "COMPLETED" || status === "FAILED" || status === "CANCELLED" ? status : undefined,
    recorded: typeof status === "string",
  };
}

/** The stored params of the run in folder `dir`, when it has any. */
export async function localParams(
  storage: StorageAdapter,
  dir: string,
): Promise<{ data: Record<string, PlainValue>; version: number | undefined; createdAt?: string; updatedAt?: string } | undefined> {
  const doc = await readJsonDoc(storage, paths.parameters(dir), true); // a copy: numbers exactly as written
  const data = doc?.["data"];
  if (!isPlainObject(data) || Object.keys(data).length === 0) return undefined;
  const version = doc?.["version"];
  const times = { ...(typeof doc?.["createdAt"] === "string" ? { createdAt: doc["createdAt"] } : {}), ...(typeof doc?.["updatedAt"] === "string" ? { updatedAt: doc["updatedAt"] } : {}) };
  return { data: data as Record<string, PlainValue>, version: typeof version === "number" ? version : undefined, ...times };
}

const utf8 = new TextEncoder();

/** The writer id stored with the run in folder `dir` (`.writer-id`), when it has a valid one; reads only. */
export async function storedWriterId(storage: StorageAdapter, dir: string): Promise<string | undefined> {
  const bytes = await storage.read(paths.writerId(dir));
  const id = bytes ? new TextDecoder().decode(bytes).trim() : "";
  return isWriterId(id) ? id : undefined;
}

/**
 * The id under which the local run in folder `dir` uploads (see `protocol/writer-id.ts`): the one
 * stored with it, else a new one stored now — unless the run already holds records uploaded
 * before writer ids (an earlier version of this SDK), which keep being numbered by the server's
 * positions (undefined), as they were.
 */
export async function localWriterId(storage: StorageAdapter, dir: string): Promise<string | undefined> {
  const stored = await storedWriterId(storage, dir);
  if (stored !== undefined) return stored;
  if ((await listStreams(storage, dir)).length > 0) return undefined;
  const id = newWriterId();
  await storage.write(paths.writerId(dir), utf8.encode(id + "\n"));
  return id;
}
