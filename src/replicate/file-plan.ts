/**
 * What the server needs for a file to match the local store (hybrid mode and `ml-dash upload`).
 * The unit is a file's place (`path` + `filename`, Python's overwrite key); for each place the
 * local records and the server's live record decide the action ({@link planFile}): upload when
 * the server lacks the content (compared by SHA-256), update when only the annotations differ,
 * delete when the local file was deleted. Comparing states rather than replaying operations is
 * what makes syncing idempotent and resumable.
 */
import { NotFoundError, RemoteError } from "../errors.ts";
import type { LocalFileStore } from "../files/local-file-store.ts";
import type { FileInfo } from "../files/types.ts";
import type { RemoteFilesApi } from "../backends/remote/files-api.ts";

/** The key of a file's place. */
export function placeOf(f: { readonly path: string; readonly filename: string }): string {
  return f.path + "\u0000" + f.filename;
}

/** What the server needs for one place. */
export type FileAction =
  | { readonly kind: "upload"; readonly local: FileInfo }
  | { readonly kind: "update"; readonly local: FileInfo; readonly remote: FileInfo }
  | { readonly kind: "delete"; readonly remote: FileInfo };

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Description, tags and metadata equal (an empty description or metadata counts as none). */
function sameAnnotations(a: FileInfo, b: FileInfo): boolean {
  const meta = (m: FileInfo["metadata"]): string => (m === null || Object.keys(m).length === 0 ? "null" : stable(m));
  return (a.description || null) === (b.description || null) && stable(a.tags) === stable(b.tags) && meta(a.metadata) === meta(b.metadata);
}

/**
 * The action for one place: `local` are the local records there (live and deleted), `remote`
 * the server's live record (if any). Files the server has but the local store never had are
 * left alone (someone else put them there).
 */
export function planFile(local: readonly FileInfo[], remote: FileInfo | undefined): FileAction | undefined {
  const live = local.find((r) => r.deletedAt === null);
  if (live) {
    if (!remote || remote.checksum !== live.checksum) return { kind: "upload", local: live };
    return sameAnnotations(live, remote) ? undefined : { kind: "update", local: live, remote };
  }
  if (remote && local.some((r) => r.checksum === remote.checksum)) return { kind: "delete", remote };
  return undefined;
}

/** Carries out an action; resolves to the server's record of the place afterwards (null: none). */
export async function applyFile(api: RemoteFilesApi, local: LocalFileStore, action: FileAction, history = false): Promise<FileInfo | null> {
  if (action.kind === "delete") {
    await api.remove(action.remote.id).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err; // deleted already
    });
    return null;
  }
  const f = action.local;
  if (action.kind === "update") {
    return api.update(action.remote.id, { description: f.description, tags: f.tags, metadata: f.metadata });
  }
  // `history` (ml-dash upload): the record keeps when it was first stored.
  const meta = { path: f.path, filename: f.filename, contentType: f.contentType, description: f.description, tags: f.tags, bindrs: f.bindrs, metadata: f.metadata, ...(history && f.uploadedAt ? { uploadedAt: f.uploadedAt } : {}) };
  // Read from the local store for each attempt: the checksum is the local record's, so the server verifies what it got.
  const stream = await local.stream(f);
  return api.upload(meta, { kind: "stream", stream, size: f.sizeBytes, reopen: () => local.stream(f) }, f.checksum);
}

/** The server's live records by place (listed as Python lists them: GraphQL, else the REST list). */
export async function remotePlaces(api: RemoteFilesApi): Promise<Map<string, FileInfo>> {
  const out = new Map<string, FileInfo>();
  for (const f of await api.listLive()) if (f.deletedAt === null && !out.has(placeOf(f))) out.set(placeOf(f), f);
  return out;
}

/**
 * The server's live records by place, or the 404 of a server that can list an experiment's
 * files neither over GraphQL nor REST: the caller decides what to do without.
 */
export async function listedPlaces(api: RemoteFilesApi): Promise<Map<string, FileInfo> | RemoteError> {
  try {
    return await remotePlaces(api);
  } catch (err) {
    if (err instanceof RemoteError && err.status === 404) return err;
    throw err;
  }
}

/** The local records by place. */
export function localPlaces(records: readonly FileInfo[]): Map<string, FileInfo[]> {
  const out = new Map<string, FileInfo[]>();
  for (const r of records) {
    const k = placeOf(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
