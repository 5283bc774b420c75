/**
 * What the files API does once a call has passed its checks: make the content (encode an image,
 * open a local file, read a Blob), talk to the store, match globs, hash downloads, build tfjs
 * handlers. Every method of `exp.files` that gets here is async, so this module and everything
 * it needs (the local file store, PNG/JPEG encoders, SHA-256, MIME types) are loaded on the
 * first such call: a page that only logs metrics never downloads them.
 */
import { NotFoundError, ValidationError } from "../errors.ts";
import type { PlainObject, PlainValue } from "../model/values.ts";
import { parsePyJson } from "../layout/py-json-parse.ts";
import { pyJsonIndent } from "../layout/py-json-indent.ts";
import { checkDescription, checkMetadata, checkStrings } from "./annotations.ts";
import { toContent } from "./content.ts";
import { downloadTo, safeFilename } from "./download.ts";
import { globMatch, hasWildcards, splitPattern } from "./glob.ts";
import { encodeImage, type ImageSource } from "./image-encode.ts";
import type { LocalFileSystem } from "./local-fs.ts";
import { contentTypeOf } from "./mime.ts";
import { fullPath, inDir } from "./names.ts";
import type { Sha256 } from "./sha256.ts";
import { portableSha256 } from "./sha256-portable.ts";
import { tfjsHandler, type TfjsIOHandler, type TfjsModelFolder } from "./tfjs-handler.ts";
import type { DeletedFile, DownloadOptions, FileBuilderOptions, FileContent, FileInfo, FileStore, FileUpdate } from "./types.ts";

export { parsePyJson };

/**
 * A folder of the run's files (or one file) as the operations see it: what the files API's
 * builder hands over at each call, once the call passed its checks.
 */
export interface FolderState {
  /** The store, asked for at the call (after its checks), as the operations always did. */
  readonly store: Promise<FileStore>;
  /** Asks for the store again, later (the tfjs handler's loads). */
  readonly laterStore: () => Promise<FileStore>;
  /** The runtime's incremental SHA-256, if it has a native one (else the portable one is used). */
  readonly sha256: (() => Sha256) | undefined;
  readonly dir: string;
  readonly options: FileBuilderOptions;
  /** The builder's own `list(pattern)`, checks included (downloads and deletes by pattern). */
  list(pattern: string): Promise<FileInfo[]>;
  /** `files("models").update()`, for messages. */
  where(method: string): string;
}

/** Where a save's bytes come from, as the builder captured it at the call. */
export type ContentSource =
  | { readonly kind: "data"; readonly data: unknown }
  | { readonly kind: "json"; readonly value: PlainValue }
  | { readonly kind: "image"; readonly image: ImageSource; readonly filename: string; readonly quality: number | undefined }
  | { readonly kind: "file"; readonly fs: LocalFileSystem; readonly localPath: string };

/** The checked target and annotations of a save. */
export interface SaveTarget {
  readonly path: string;
  readonly filename: string;
  readonly description: string | null;
  readonly tags: string[];
  readonly bindrs: string[];
  readonly metadata: PlainObject | null;
}

async function makeContent(source: ContentSource): Promise<FileContent> {
  switch (source.kind) {
    case "data":
      return toContent(source.data);
    case "json":
      return toContent(pyJsonIndent(source.value));
    case "image":
      return { kind: "bytes", bytes: (await encodeImage(source.image, source.filename, source.quality)).bytes };
    case "file": {
      const { fs, localPath } = source;
      const file = await fs.open(localPath);
      return { kind: "stream", stream: file.stream, size: file.size, reopen: async () => (await fs.open(localPath)).stream };
    }
  }
}


/** Waits for the store first (its errors come before the content's), then makes the content and saves. */
export async function save(storeReady: Promise<FileStore>, target: SaveTarget, source: ContentSource): Promise<FileInfo> {
  const store = await storeReady;
  const { path, filename, ...ann } = target;
  return store.save({ path, filename, content: await makeContent(source), contentType: contentTypeOf(filename), ...ann });
}

/** The live files in the folder (and below), filtered by a glob over name or path and by the builder's tags. */
export async function list(f: FolderState, pattern: string | undefined): Promise<FileInfo[]> {
  const p = pattern?.replace(/^\/+/, "");
  const tags = f.options.tags ?? [];
  return (await (await f.store).records()).filter(
    (r) =>
      r.deletedAt === null &&
      inDir(r.path, f.dir) &&
      (tags.length === 0 || r.tags.some((t) => tags.includes(t))) &&
      (p === undefined || p === "" || globMatch(p, r.filename) || globMatch(p, fullPath(r.path, r.filename))),
  );
}

/** The one file a builder addresses: by id, else by path (full path first, then a bare file name, as Python). */
export async function target(f: FolderState): Promise<FileInfo> {
  const records = await (await f.store).records();
  const id = f.options.fileId;
  if (id !== undefined) {
    const r = records.find((x) => x.id === id && x.deletedAt === null);
    if (!r) throw new NotFoundError(`File ${id} not found`);
    return r;
  }
  const p = f.dir.slice(1);
  if (p === "") throw new ValidationError('No file given: address one file as exp.files("dir/name.ext") or exp.files({ fileId })', { field: "path" });
  const live = records.filter((r) => r.deletedAt === null);
  const r = live.find((x) => fullPath(x.path, x.filename) === p) ?? live.find((x) => x.filename === p);
  if (!r) throw new NotFoundError(`File not found: ${p}`);
  return r;
}

/** The file's bytes (checksum verified by the store). */
export async function read(f: FolderState): Promise<Uint8Array> {
  const store = await f.store;
  return store.read(await target(f));
}

/** The file's bytes as a stream. */
export async function stream(f: FolderState): Promise<ReadableStream<Uint8Array>> {
  const store = await f.store;
  return store.stream(await target(f));
}

/** One file to `options.to`, or with a pattern every match into the folder `options.to`. */
export async function download(f: FolderState, fs: LocalFileSystem, patternOrOptions: string | DownloadOptions | undefined, options: DownloadOptions): Promise<string | string[]> {
  const sha256 = f.sha256 ?? portableSha256;
  if (typeof patternOrOptions === "string") {
    const files = await f.list(patternOrOptions);
    if (files.length === 0) throw new NotFoundError(`No files found matching pattern ${JSON.stringify(patternOrOptions)}`);
    const dir = options.to ?? ".";
    const out: string[] = [];
    // Every name is checked before the first file is written: a hostile listing writes nothing.
    for (const file of files) safeFilename(file);
    for (const file of files) out.push(await downloadTo(fs, await f.store, sha256, file, fs.join(dir, safeFilename(file))));
    return out;
  }
  const file = await target(f);
  return downloadTo(fs, await f.store, sha256, file, patternOrOptions?.to ?? safeFilename(file));
}

/** Soft-deletes the file, or with a pattern every match. */
export async function remove(f: FolderState, pattern: string | undefined): Promise<DeletedFile | DeletedFile[]> {
  if (pattern !== undefined) {
    const files = await f.list(pattern);
    if (files.length === 0) throw new NotFoundError(`No files found matching pattern ${JSON.stringify(pattern)}`);
    const store = await f.store;
    // Issued together so the store commits them in one metadata write.
    return Promise.all(files.map((file) => store.delete(file.id)));
  }
  const id = f.options.fileId ?? (await target(f)).id;
  return (await f.store).delete(id);
}

/** The builder's annotations, then `patch` on top; only the fields given change. */
export async function update(f: FolderState, patch: FileUpdate): Promise<FileInfo> {
  const id = f.options.fileId ?? (await target(f)).id;
  const merged: { description?: string | null; tags?: readonly string[]; metadata?: Record<string, unknown> | null } = {};
  const o = f.options;
  const description = patch.description !== undefined ? patch.description : o.description;
  const tags = patch.tags ?? o.tags;
  const metadata = patch.metadata !== undefined ? patch.metadata : o.metadata;
  if (description !== undefined) merged.description = checkDescription(description);
  if (tags !== undefined) merged.tags = checkStrings(tags, "tags");
  if (metadata !== undefined) merged.metadata = metadata === null ? null : checkMetadata(metadata, f.where("update"));
  return (await f.store).update(id, merged);
}

/** The folder and pattern of a glob (`"images/*.png"`), or `undefined` when `pathOrGlob` has no wildcards. */
export function splitGlob(pathOrGlob: string): { dir: string | undefined; pattern: string } | undefined {
  return typeof pathOrGlob === "string" && hasWildcards(pathOrGlob) ? splitPattern(pathOrGlob) : undefined;
}

/** The tfjs IO handler of a model folder; saves carry the builder's annotations. */
export function tfjs(model: TfjsModelFolder, f: FolderState): TfjsIOHandler {
  return tfjsHandler(model, f.options, async (file) => (await f.laterStore()).read(file));
}
