/**
 * `exp.files`: call it for a builder (`exp.files("models", { tags })`, `exp.files({ fileId })`),
 * or use it directly with the folder inside `to` (`exp.files.saveText(t, { to: "configs/a.yaml" })`)
 * and with paths or globs (`exp.files.delete("images/*.png")`).
 */
import type { Host } from "../host.ts";
import { ValidationError } from "../../errors.ts";
import { loadOnce } from "../../internal/load-once.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import { builderImpl, FileBuilder, type FilesContext } from "./builder.ts";
import type { FileData } from "../../files/content.ts";
import type { ImageSource } from "../../files/image-encode.ts";
import type { DeletedFile, DownloadOptions, FileBuilderOptions, FileInfo, FileStore, FileUpdate, SaveImageOptions, SaveOptions } from "../../files/types.ts";

/** The `exp.files` accessor. */
export interface Files {
  /** A folder (`"models"`), or one file (`"models/model.bin"`) for read / download / delete. */
  (dir?: string, options?: FileBuilderOptions): FileBuilder;
  /** By id (`{ fileId }`), or the top folder with annotations. */
  (options: FileBuilderOptions): FileBuilder;
  /** Saves at `to` (`"dir/name"`); see {@link FileBuilder.save}. */
  save(data: FileData | Record<string, unknown> | unknown[], options: SaveOptions): Promise<FileInfo>;
  saveText(text: string, options: SaveOptions): Promise<FileInfo>;
  saveJson(value: unknown, options: SaveOptions): Promise<FileInfo>;
  saveBlob(data: FileData, options: SaveOptions): Promise<FileInfo>;
  saveImage(image: ImageSource, options: SaveImageOptions): Promise<FileInfo>;
  upload(localPath: string, options?: SaveOptions): Promise<FileInfo>;
  /** Every file (not deleted), optionally matching a glob over name or path. */
  list(pattern?: string): Promise<FileInfo[]>;
  /** The bytes of the file at `path` (`"models/model.bin"`). */
  read(path: string): Promise<Uint8Array>;
  readText(path: string): Promise<string>;
  readJson<T = unknown>(path: string): Promise<T>;
  exists(path: string): Promise<boolean>;
  /** One file to `to` (a path), or with a glob every match into the folder `to`. */
  download(pathOrGlob: string, options?: DownloadOptions): Promise<string | string[]>;
  /** Soft-deletes the file at `path`, or every match of a glob (`"images/*.png"`). */
  delete(pathOrGlob: string): Promise<DeletedFile | DeletedFile[]>;
  /** Changes a file's description, tags or metadata by id. */
  update(fileId: string, patch: FileUpdate): Promise<FileInfo>;
}

/** How an experiment builds its files accessor. */
export interface FilesSetup {
  readonly runtime: RuntimeHooks;
  /** Creates the store on first use (a local `files/` folder, or a server). */
  readonly store: () => Promise<FileStore>;
}

/** Builds `exp.files` for an experiment. */
export function createFiles(host: Host, setup: FilesSetup): Files {
  const ctx: FilesContext = {
    host,
    store: loadOnce(setup.store), // a store that could not be made is tried again
    localFiles: setup.runtime.localFiles,
    sha256: setup.runtime.sha256,
  };
  const files = ((a?: string | FileBuilderOptions, b?: FileBuilderOptions): FileBuilder => {
    if (typeof a === "object" && a !== null) return new FileBuilder(ctx, undefined, a);
    if (a !== undefined && typeof a !== "string") throw new ValidationError(`exp.files() takes a folder string or options, got ${typeof a}`, { field: "dir" });
    return new FileBuilder(ctx, a, b);
  }) as Files;
  const root = (): FileBuilder => new FileBuilder(ctx, undefined);
  const at = (path: string): FileBuilder => {
    if (typeof path !== "string" || path.replace(/^\/+/, "") === "") throw new ValidationError(`Invalid file path ${JSON.stringify(path)}: give one like "models/model.bin"`, { field: "path" });
    return new FileBuilder(ctx, path);
  };
  files.save = (data, o) => root().save(data, o);
  files.saveText = (t, o) => root().saveText(t, o);
  files.saveJson = (v, o) => root().saveJson(v, o);
  files.saveBlob = (d, o) => root().saveBlob(d, o);
  files.saveImage = (i, o) => root().saveImage(i, o);
  files.upload = (p, o) => root().upload(p, o);
  files.list = (pattern) => root().list(pattern);
  files.read = (path) => at(path).read();
  files.readText = (path) => at(path).readText();
  files.readJson = <T>(path: string) => at(path).readJson<T>();
  files.exists = (path) => at(path).exists();
  // A glob acts on every match in its folder (the glob code loads with the other operations).
  files.download = async (pathOrGlob, o) => {
    const glob = (await builderImpl()).splitGlob(pathOrGlob);
    return glob ? new FileBuilder(ctx, glob.dir).download(glob.pattern, o) : at(pathOrGlob).download(o);
  };
  files.delete = async (pathOrGlob) => {
    const glob = (await builderImpl()).splitGlob(pathOrGlob);
    return glob ? new FileBuilder(ctx, glob.dir).delete(glob.pattern) : at(pathOrGlob).delete();
  };
  files.update = (fileId, patch) => new FileBuilder(ctx, undefined, { fileId }).update(patch);
  return files;
}
