/**
 * Uploading a run from a local store to a server: what `ml-dash upload` does for each run of a
 * `.dash` tree (written by this SDK or by ML-Dash Python). It is resumable and idempotent by
 * construction: the server says where each of its streams ends, only the records after that
 * are read from the local files and sent, and every batch carries its position, so running it
 * twice (or after an interruption) never stores a record twice. A run a hybrid session wrote
 * uploads under that session's writer id (`.writer-id`), so the upload finishes what the session
 * began even when other clients appended to the experiment meanwhile.
 */
import { MlDashError, NotFoundError, RemoteError } from "../errors.ts";
import { listStreams } from "../layout/list-streams.ts";
import { parsePrefix } from "../model/prefix.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import type { Batch, StreamId } from "../model/batch.ts";
import type { RemoteClient } from "../backends/remote/client.ts";
import { createRemoteExperiment, fileTarget, patchStatus, postParams, serverPosition, type RemoteExperiment } from "../backends/remote/experiment-api.ts";
import { RemoteFilesApi } from "../backends/remote/files-api.ts";
import { isTransient } from "../backends/remote/retry.ts";
import { sendBatch, type Sent } from "../backends/remote/send-batch.ts";
import { DEFAULT_MAX_FILE_BYTES } from "../model/defaults.ts";
import { localFileStoreFor } from "../files/local-file-store.ts";
import { fullPath } from "../files/names.ts";
import type { Sha256 } from "../files/sha256.ts";
import { portableSha256 } from "../files/sha256-portable.ts";
import type { FileInfo } from "../files/types.ts";
import { applyFile, localPlaces, placeOf, planFile } from "./file-plan.ts";
import { LOCAL_CHUNK, LocalStreamSource, sendTail } from "./local-tail.ts";
import { localParams, localRun, storedWriterId } from "./local-run.ts";
import { findRunFolders } from "../layout/run-folders.ts";

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
  /** Files: uploaded, annotations updated, deleted on the server, already there. */
  readonly files: { readonly uploaded: number; readonly updated: number; readonly deleted: number; readonly unchanged: number; readonly bytes: number };
}

/** Progress of the files of a run, reported after each file. */
export interface FileSyncProgress {
  readonly dir: string;
  /** Files compared so far, of `total` (a file's place: its folder and name). */
  readonly done: number;
  readonly total: number;
  /** The file just handled (`models/model.bin`). */
  readonly file: string;
}

/** Options of {@link uploadRun}. */
export interface UploadRunOptions {
  /** Records per request. Default 10,000. */
  readonly chunk?: number;
  /** A native incremental SHA-256 (the portable one otherwise). */
  readonly sha256?: () => Sha256;
  /** Largest file. Default 100 GiB. */
  readonly maxFileBytes?: number;
  readonly onFile?: (p: FileSyncProgress) => void;
}



/** The server's records of a run's files, deleted ones too (none from a server that cannot list them). */
async function listedFiles(api: RemoteFilesApi): Promise<FileInfo[]> {
  try {
    return await api.list(true);
  } catch (err) {
    if (err instanceof RemoteError && err.status === 404) return [];
    throw err;
  }
}

/**
 * The local soft-deleted records of one place that the server does not hold as deleted records
 * (counted by checksum, so a second upload finds them all there and sends none).
 */
function missingDeleted(records: readonly FileInfo[], place: string, remoteDeleted: ReadonlyMap<string, number>): FileInfo[] {
  const seen = new Map<string, number>();
  const out: FileInfo[] = [];
  for (const r of records) {
    if (r.deletedAt === null) continue;
    const k = place + "\u0000" + r.checksum;
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    if (n > (remoteDeleted.get(k) ?? 0)) out.push(r);
  }
  return out;
}

/** Every run folder of a store (below `prefix`), sorted: the layout's run discovery. */
export async function findRuns(storage: StorageAdapter, prefix = ""): Promise<string[]> {
  return findRunFolders(storage, prefix);
}

/** Uploads the run in folder `dir` of `storage` to the server behind `client`. */
export async function uploadRun(
  client: RemoteClient,
  storage: StorageAdapter,
  dir: string,
  onProgress?: (p: SyncProgress) => void,
  options: UploadRunOptions = {},
): Promise<SyncResult> {
  const chunk = options.chunk ?? LOCAL_CHUNK;
  const run = await localRun(storage, parsePrefix(dir));
  const writer = await storedWriterId(storage, dir);
  const exp = await createRemoteExperiment(client, run.info, writer);
  const send = (batch: Batch): Promise<Sent> => sendBatch(client, exp.id, batch, writer);
  const positions = writer !== undefined && exp.writerPositions ? exp.writerPositions : exp.positions;
  let sent = 0;
  let skipped = 0;
  let bytes = 0;

  const params = await localParams(storage, dir);
  if (params) await postParams(client, exp.id, params, params);

  for (const { id: stream, recorded } of await listStreams(storage, dir)) {
    let from = await serverPosition(client, exp.id, stream, positions);
    const start = from;
    const source = new LocalStreamSource(storage, dir, stream);
    onProgress?.({ dir, stream, done: from, total: recorded });
    for (;;) {
      const batch = await source.batch(from, chunk);
      if (!batch) break;
      const step = await sendTail(send, batch);
      from = step.next;
      if (!step.sent) continue; // the server has fewer than it said: resend from there
      bytes += step.sent.bytes;
      onProgress?.({ dir, stream, done: from, total: Math.max(recorded, from) });
    }
    sent += Math.max(0, from - start);
    skipped += start;
  }

  const files = await uploadFiles(client, storage, dir, exp, options);

  const status = run.ended ?? (run.recorded ? undefined : "COMPLETED");
  if (status) await patchStatus(client, exp.nodeId, status);
  return { dir, id: exp.id, sent, skipped, bytes, files };
}

/**
 * Brings the server's files of a run to match the local store's (see `file-sync.ts`): what it
 * lacks is uploaded, changed annotations updated, local deletions applied; the rest is left.
 * A file the server refuses fails the run after the other files were tried.
 */
async function uploadFiles(client: RemoteClient, storage: StorageAdapter, dir: string, exp: RemoteExperiment, options: UploadRunOptions): Promise<SyncResult["files"]> {
  const prefix = parsePrefix(dir);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const local = localFileStoreFor(storage, prefix, options.sha256 ? { sha256: options.sha256 } : {}, maxBytes);
  const places = localPlaces(await local.records());
  const out = { uploaded: 0, updated: 0, deleted: 0, unchanged: 0, bytes: 0 };
  if (places.size === 0) return out;
  const api = new RemoteFilesApi(client, fileTarget(exp, prefix.owner as string), { sha256: options.sha256 ?? portableSha256, maxBytes });
  // A server without the list route (ML-Dash lists over GraphQL) gets every file: it cannot say what it holds.
  // A server without the list route (ML-Dash lists over GraphQL) gets every file: it cannot say what it holds.
  const listed = await listedFiles(api);
  const remote = new Map<string, FileInfo>();
  const remoteDeleted = new Map<string, number>();
  for (const f of listed) {
    if (f.deletedAt === null) {
      if (!remote.has(placeOf(f))) remote.set(placeOf(f), f);
    } else remoteDeleted.set(placeOf(f) + "\u0000" + f.checksum, (remoteDeleted.get(placeOf(f) + "\u0000" + f.checksum) ?? 0) + 1);
  }
  let done = 0;
  let refused: MlDashError | undefined;
  for (const [key, records] of places) {
    try {
      // Soft-deleted records are history too: each one the server lacks is uploaded and deleted
      // there (first, as an upload at a live place replaces that place's live record).
      const missing = missingDeleted(records, key, remoteDeleted);
      let live = remote.get(key);
      for (const f of missing) {
        // The server's live copy of what was deleted here (an earlier upload) is deleted there;
        // anything else is uploaded and then deleted.
        const same = live !== undefined && live.checksum === f.checksum && !records.some((r) => r.deletedAt === null && r.checksum === f.checksum);
        const id = same ? (live as FileInfo).id : (await applyFile(api, local, { kind: "upload", local: f }, true))?.id;
        if (id !== undefined) await api.remove(id, f.deletedAt ?? undefined).catch((err: unknown) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
        live = undefined;
        out.deleted++;
      }
      const action = planFile(records, live);
      if (!action) out.unchanged += missing.length > 0 ? 0 : 1;
      else {
        await applyFile(api, local, action, true);
        if (action.kind === "upload") {
          out.uploaded++;
          out.bytes += action.local.sizeBytes;
        } else if (action.kind === "update") out.updated++;
        else out.deleted++;
      }
    } catch (err) {
      if (isTransient(err) || !(err instanceof MlDashError)) throw err; // the next run resumes here
      refused ??= err;
    }
    const f = records[0] as FileInfo;
    options.onFile?.({ dir, done: ++done, total: places.size, file: fullPath(f.path, f.filename) });
  }
  if (refused) throw refused;
  return out;
}
