/**
 * `exp.files(dir, options)`: a folder of the run's files, with the annotations every save made
 * through it carries. The same builder addresses one file when its path names a file
 * (`exp.files("models/model.bin").read()`) or when it has a `fileId`.
 */
import type { Host } from "../host.ts";
import { ConfigurationError, NotFoundError, ValidationError } from "../../errors.ts";
import { normalizeValue, type PlainObject } from "../../model/values.ts";
import { checkDescription, checkMetadata, checkStrings, fileName } from "../../files/annotations.ts";
import type { FileData } from "../../files/content.ts";
import type { ImageSource } from "../../files/image-encode.ts";
import type { LocalFileSystem } from "../../files/local-fs.ts";
import { baseName, normalizeDir, resolveTarget } from "../../files/names.ts";
import type { ContentSource, FolderState } from "../../files/operations.ts";
import type { Sha256 } from "../../files/sha256.ts";
import type { TfjsIOHandler } from "../../files/tfjs-handler.ts";
import type { DeletedFile, DownloadOptions, FileAnnotations, FileBuilderOptions, FileInfo, FileStore, FileUpdate, SaveImageOptions, SaveOptions } from "../../files/types.ts";

/** What builders share: the experiment, its file store and the runtime's file system. */
export interface FilesContext {
  readonly host: Host;
  /** The store (created on first use). */
  store(): Promise<FileStore>;
  readonly localFiles: LocalFileSystem | undefined;
  /** The runtime's incremental SHA-256, if it has a native one (else the portable one is used). */
  readonly sha256: (() => Sha256) | undefined;
}

/**
 * The operations behind the builder: loaded on the first call that needs them. Every method
 * that uses them is async; what must fail at the call (the state of the run, the target, the
 * annotations) is checked here first, before the module is loaded, exactly as before.
 */
export const operations = (): Promise<typeof import("../../files/operations.ts")> => import("../../files/operations.ts");

const decoder = new TextDecoder();

/** A folder of the run's files, or one file. Obtain it with `exp.files(dir?, options?)`. */
export class FileBuilder {
  /** The logical folder (`/models`), or the file's path for single-file operations. */
  readonly dir: string;
  private readonly options: FileBuilderOptions;

  constructor(
    private readonly ctx: FilesContext,
    dir: string | undefined,
    options: FileBuilderOptions = {},
  ) {
    this.dir = normalizeDir(dir);
    if (options.fileId !== undefined && (typeof options.fileId !== "string" || options.fileId === "")) {
      throw new ValidationError(`Invalid fileId ${JSON.stringify(options.fileId)}: use the id a save returned`, { field: "fileId" });
    }
    this.options = options;
  }

  /**
   * Saves content: a Blob or File, an ArrayBuffer, a typed array, a `ReadableStream<Uint8Array>`
   * (written as it arrives) or a string (UTF-8). Plain objects and arrays are saved as JSON.
   *
   * @example await exp.files("models").save(bytes, { to: "model.bin" });
   */
  async save(data: FileData | Record<string, unknown> | unknown[], options: SaveOptions = {}): Promise<FileInfo> {
    if (Array.isArray(data) || (typeof data === "object" && data !== null && Object.getPrototypeOf(data) === Object.prototype)) {
      return this.saveJson(data, options);
    }
    this.ctx.host._writable(this.where("save"));
    return this.put(options.to ?? fileName(data), { kind: "data", data }, options);
  }

  /** Saves a string as UTF-8. @example await exp.files.saveText("lr: 0.1", { to: "configs/view.yaml" }); */
  async saveText(text: string, options: SaveOptions): Promise<FileInfo> {
    this.ctx.host._writable(this.where("saveText"));
    if (typeof text !== "string") throw new ValidationError(`saveText() takes a string, got ${typeof text}`, { field: "text" });
    return this.put(options?.to, { kind: "data", data: text }, options);
  }

  /** Saves a value as JSON the way Python's `json.dump(value, indent=2)` writes it. */
  async saveJson(value: unknown, options: SaveOptions): Promise<FileInfo> {
    this.ctx.host._writable(this.where("saveJson"));
    // Copied now (as the caller had it); written as Python's json.dump(indent=2) would.
    const copy = normalizeValue(value, "value", this.where("saveJson"));
    return this.put(options?.to, { kind: "json", value: copy }, options);
  }

  /** Saves raw bytes (or a Blob / stream). */
  async saveBlob(data: FileData, options: SaveOptions): Promise<FileInfo> {
    this.ctx.host._writable(this.where("saveBlob"));
    return this.put(options?.to ?? fileName(data), { kind: "data", data }, options);
  }

  /**
   * Saves an image as PNG or JPEG (by the extension of `to`). Accepts `ImageData`,
   * `{ data, width, height, channels? }` (8-bit data as is; other numbers scaled as Python does),
   * nested H×W or H×W×C arrays, and in browsers a canvas, OffscreenCanvas or ImageBitmap.
   *
   * @example await exp.files("frames").saveImage({ data: rgb, width: 64, height: 48, channels: 3 }, { to: "frame_00001.png" });
   */
  async saveImage(image: ImageSource, options: SaveImageOptions): Promise<FileInfo> {
    this.ctx.host._writable(this.where("saveImage"));
    const { filename } = resolveTarget(this.dir, options?.to);
    return this.put(options.to, { kind: "image", image, filename, quality: options.quality }, options);
  }

  /** Uploads a file from the local file system (Node, Bun, Deno); `to` defaults to its name. */
  async upload(localPath: string, options: SaveOptions = {}): Promise<FileInfo> {
    this.ctx.host._writable(this.where("upload"));
    const fs = this.fs("upload");
    if (typeof localPath !== "string" || localPath === "") throw new ValidationError(`upload() needs a local file path, got ${JSON.stringify(localPath)}`, { field: "localPath" });
    // Everything is checked before the file is opened, so a bad `to` leaves no open handle behind.
    return this.put(options.to ?? baseName(localPath), { kind: "file", fs, localPath }, options);
  }

  /**
   * The files in this folder (and below) that are not deleted, optionally filtered by a glob
   * over the file name or the path (`*` crosses `/` as in Python's fnmatch; `**`, `?`, `[...]`)
   * and by the builder's tags (any of them).
   *
   * @example await exp.files("images").list("*.png")
   */
  async list(pattern?: string): Promise<FileInfo[]> {
    this.ctx.host._readable(this.where("list"));
    if (pattern !== undefined && typeof pattern !== "string") throw new ValidationError(`list() takes a glob string, got ${typeof pattern}`, { field: "pattern" });
    return (await operations()).list(this.state(), pattern);
  }

  /** The file's bytes (checksum verified). */
  async read(): Promise<Uint8Array> {
    this.ctx.host._readable(this.where("read"));
    return (await operations()).read(this.state());
  }

  /** The file's text (UTF-8). */
  async readText(): Promise<string> {
    return decoder.decode(await this.read());
  }

  /** The file parsed as JSON (Python's NaN / Infinity tokens accepted). */
  async readJson<T = unknown>(): Promise<T> {
    const text = await this.readText();
    return (await operations()).parsePyJson(text) as T;
  }

  /** The file's bytes as a stream (for large files). */
  async stream(): Promise<ReadableStream<Uint8Array>> {
    this.ctx.host._readable(this.where("stream"));
    return (await operations()).stream(this.state());
  }

  /** The file's record, or a `NotFoundError`. */
  async info(): Promise<FileInfo> {
    this.ctx.host._readable(this.where("info"));
    return (await operations()).target(this.state());
  }

  /** True when the file exists (and is not deleted). */
  async exists(): Promise<boolean> {
    try {
      await this.info();
      return true;
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ValidationError) return false;
      throw err;
    }
  }

  /**
   * Writes the file to the local file system (Node, Bun, Deno) and verifies its SHA-256. With a
   * pattern, every match goes into the folder `to` (default `.`) and the paths are returned.
   */
  download(options?: DownloadOptions): Promise<string>;
  download(pattern: string, options?: DownloadOptions): Promise<string[]>;
  async download(patternOrOptions?: string | DownloadOptions, options: DownloadOptions = {}): Promise<string | string[]> {
    this.ctx.host._readable(this.where("download"));
    const fs = this.fs("download");
    return (await operations()).download(this.state(), fs, patternOrOptions, options);
  }

  /** Soft-deletes the file, or with a pattern every match (a list of `{ id, deletedAt }`). */
  delete(): Promise<DeletedFile>;
  delete(pattern: string): Promise<DeletedFile[]>;
  async delete(pattern?: string): Promise<DeletedFile | DeletedFile[]> {
    this.ctx.host._writable(this.where("delete"));
    return (await operations()).remove(this.state(), pattern);
  }

  /**
   * Changes the file's description, tags and metadata: the builder's annotations, then `patch`
   * on top. Only the fields given change (unlike Python, a missing `tags` keeps the tags).
   *
   * @example await exp.files({ fileId }).update({ tags: ["best"] });
   */
  async update(patch: FileUpdate = {}): Promise<FileInfo> {
    this.ctx.host._writable(this.where("update"));
    return (await operations()).update(this.state(), patch);
  }

  /**
   * A TensorFlow.js IO handler that saves and loads a model as files of this run
   * (`<dir>/<name>/model.json` and `weights.bin`).
   *
   * @example
   * ```ts
   * await model.save(exp.files("models").tfjs("mnist"));
   * const again = await tf.loadLayersModel(exp.files("models").tfjs("mnist"));
   * ```
   */
  tfjs(name: string): TfjsIOHandler {
    const { path } = resolveTarget(this.dir, `${name}/model.json`, "name");
    const model = new FileBuilder(this.ctx, path);
    // The handler's own code loads with the other operations, on its first save or load.
    const handler = async (): Promise<TfjsIOHandler> => (await operations()).tfjs(model, this.state());
    return {
      save: async (artifacts) => (await handler()).save(artifacts),
      load: async () => (await handler()).load(),
    };
  }

  // ---- internals

  /** Checks the target and annotations first (at the call), then loads the operations, makes the content and saves. */
  private async put(to: string | undefined, content: ContentSource, options: SaveOptions = {}): Promise<FileInfo> {
    const { path, filename } = resolveTarget(this.dir, to);
    const ann = this.annotations(options);
    return (await operations()).save(this.ctx.store(), { path, filename, ...ann }, content);
  }

  private annotations(o: FileAnnotations): { description: string | null; tags: string[]; bindrs: string[]; metadata: PlainObject | null } {
    const a = this.options;
    const description = o.description ?? a.description;
    const metadata = o.metadata ?? a.metadata;
    return {
      description: description === undefined ? null : checkDescription(description),
      tags: [...checkStrings(o.tags ?? a.tags ?? [], "tags")],
      bindrs: [...checkStrings(o.bindrs ?? a.bindrs ?? [], "bindrs")],
      metadata: metadata === undefined ? null : checkMetadata(metadata, this.where("save")),
    };
  }

  private state(): FolderState {
    const ctx = this.ctx;
    return {
      store: ctx.store(),
      laterStore: () => ctx.store(),
      sha256: ctx.sha256,
      dir: this.dir,
      options: this.options,
      list: (pattern) => this.list(pattern),
      where: (m) => this.where(m),
    };
  }

  private fs(method: string): LocalFileSystem {
    const fs = this.ctx.localFiles;
    if (!fs) {
      throw new ConfigurationError(`files.${method}() needs a file system, and this runtime has none: use read(), stream() or save() with a Blob instead`);
    }
    return fs;
  }

  private where(method: string): string {
    const arg = this.options.fileId !== undefined ? `{ fileId: ${JSON.stringify(this.options.fileId)} }` : JSON.stringify(this.dir);
    return `files(${arg}).${method}()`;
  }
}
