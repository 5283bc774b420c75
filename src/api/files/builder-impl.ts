/**
 * What {@link FileBuilder}'s calls do once the run's state allowed them: check the target and
 * annotations, make the content, and hand over to the file operations. Loaded (with the
 * operations) on a builder's first call, so a page that never touches files never downloads it.
 */
import type { BuilderCore } from "./files-context.ts";
import { ConfigurationError, NotFoundError, ValidationError } from "../../errors.ts";
import type { PlainObject, PlainValue } from "../../model/values.ts";
import { checkDescription, checkMetadata, checkStrings, fileName } from "../../files/annotations.ts";
import type { FileData } from "../../files/content.ts";
import type { ImageSource } from "../../files/image-encode.ts";
import type { LocalFileSystem } from "../../files/local-fs.ts";
import { baseName, resolveTarget } from "../../files/names.ts";
import * as ops from "../../files/operations.ts";
import type { ContentSource, FolderState } from "../../files/operations.ts";
import type { TfjsIOHandler } from "../../files/tfjs-handler.ts";
import type { DeletedFile, DownloadOptions, FileAnnotations, FileInfo, FileUpdate, SaveImageOptions, SaveOptions } from "../../files/types.ts";

export { splitGlob } from "../../files/operations.ts";

const decoder = new TextDecoder();

/** Saves `data` (anything but a plain object or array, which the builder sends to {@link saveJson}). */
export function save(b: BuilderCore, data: FileData, options: SaveOptions): Promise<FileInfo> {
  return put(b, options.to ?? fileName(data), { kind: "data", data }, options);
}

export function saveText(b: BuilderCore, text: string, options: SaveOptions): Promise<FileInfo> {
  if (typeof text !== "string") throw new ValidationError(`saveText() takes a string, got ${typeof text}`, { field: "text" });
  return put(b, options?.to, { kind: "data", data: text }, options);
}

/** Saves `copy` (the value as the caller had it at the call) as JSON. */
export function saveJson(b: BuilderCore, copy: PlainValue, options: SaveOptions): Promise<FileInfo> {
  return put(b, options?.to, { kind: "json", value: copy }, options);
}

export function saveBlob(b: BuilderCore, data: FileData, options: SaveOptions): Promise<FileInfo> {
  return put(b, options?.to ?? fileName(data), { kind: "data", data }, options);
}

export function saveImage(b: BuilderCore, image: ImageSource, options: SaveImageOptions): Promise<FileInfo> {
  const { filename } = resolveTarget(b.dir, options?.to);
  return put(b, options.to, { kind: "image", image, filename, quality: options.quality }, options);
}

export function upload(b: BuilderCore, localPath: string, options: SaveOptions): Promise<FileInfo> {
  const fs = localFs(b, "upload");
  if (typeof localPath !== "string" || localPath === "") throw new ValidationError(`upload() needs a local file path, got ${JSON.stringify(localPath)}`, { field: "localPath" });
  // Everything is checked before the file is opened, so a bad `to` leaves no open handle behind.
  return put(b, options.to ?? baseName(localPath), { kind: "file", fs, localPath }, options);
}

export function list(b: BuilderCore, pattern: string | undefined): Promise<FileInfo[]> {
  if (pattern !== undefined && typeof pattern !== "string") throw new ValidationError(`list() takes a glob string, got ${typeof pattern}`, { field: "pattern" });
  return ops.list(state(b), pattern);
}

export function read(b: BuilderCore): Promise<Uint8Array> {
  return ops.read(state(b));
}

export async function readText(b: BuilderCore): Promise<string> {
  return decoder.decode(await read(b));
}

export async function readJson(b: BuilderCore): Promise<unknown> {
  return ops.parsePyJson(await readText(b));
}

export function stream(b: BuilderCore): Promise<ReadableStream<Uint8Array>> {
  return ops.stream(state(b));
}

export function info(b: BuilderCore): Promise<FileInfo> {
  return ops.target(state(b));
}

export async function exists(b: BuilderCore): Promise<boolean> {
  try {
    await info(b);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof ValidationError) return false;
    throw err;
  }
}

export function download(b: BuilderCore, patternOrOptions: string | DownloadOptions | undefined, options: DownloadOptions): Promise<string | string[]> {
  return ops.download(state(b), localFs(b, "download"), patternOrOptions, options);
}

export function remove(b: BuilderCore, pattern: string | undefined): Promise<DeletedFile | DeletedFile[]> {
  return ops.remove(state(b), pattern);
}

export function update(b: BuilderCore, patch: FileUpdate): Promise<FileInfo> {
  return ops.update(state(b), patch);
}

/** The tfjs IO handler of the model `name` (`<dir>/<name>/model.json` and `weights.bin`). */
export function tfjs(b: BuilderCore, name: string): TfjsIOHandler {
  const { path } = resolveTarget(b.dir, `${name}/model.json`, "name");
  return ops.tfjs(b.child(path), state(b));
}

/** Checks the target and annotations, then makes the content and saves. */
function put(b: BuilderCore, to: string | undefined, content: ContentSource, options: SaveOptions = {}): Promise<FileInfo> {
  const { path, filename } = resolveTarget(b.dir, to);
  return ops.save(b.ctx.store(), { path, filename, ...annotations(b, options) }, content);
}

function annotations(b: BuilderCore, o: FileAnnotations): { description: string | null; tags: string[]; bindrs: string[]; metadata: PlainObject | null } {
  const a = b.options;
  const description = o.description ?? a.description;
  const metadata = o.metadata ?? a.metadata;
  return {
    description: description === undefined ? null : checkDescription(description),
    tags: [...checkStrings(o.tags ?? a.tags ?? [], "tags")],
    bindrs: [...checkStrings(o.bindrs ?? a.bindrs ?? [], "bindrs")],
    metadata: metadata === undefined ? null : checkMetadata(metadata, b.where("save")),
  };
}

function state(b: BuilderCore): FolderState {
  const { ctx } = b;
  return {
    store: ctx.store(),
    laterStore: () => ctx.store(),
    sha256: ctx.sha256,
    dir: b.dir,
    options: b.options,
    list: (pattern) => b.list(pattern),
    where: (m) => b.where(m),
  };
}

function localFs(b: BuilderCore, method: string): LocalFileSystem {
  const fs = b.ctx.localFiles;
  if (!fs) {
    throw new ConfigurationError(`files.${method}() needs a file system, and this runtime has none: use read(), stream() or save() with a Blob instead`);
  }
  return fs;
}
