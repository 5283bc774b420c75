/**
 * `exp.files(dir, options)`: a folder of the run's files, with the annotations every save made
 * through it carries. The same builder addresses one file when its path names a file
 * (`exp.files("models/model.bin").read()`) or when it has a `fileId`.
 */
import type { Host } from "../context.ts";
import { ConfigurationError, NotFoundError, ValidationError } from "../errors.ts";
import { normalizeValue, type PlainObject } from "../internal/values.ts";
import { checkDescription, checkMetadata, checkStrings, fileName } from "./annotations.ts";
import { parsePyJson } from "../layout/py-json-parse.ts";
import { pyJsonIndent } from "../layout/py-json-indent.ts";
import { toContent, type FileData } from "./content.ts";
import { downloadTo } from "./download.ts";
import { globMatch } from "./glob.ts";
import { encodeImage, type ImageSource } from "./image-encode.ts";
import type { LocalFileSystem } from "./local-fs.ts";
import { contentTypeOf } from "./mime.ts";
import { baseName, fullPath, inDir, normalizeDir, resolveTarget } from "./names.ts";
import type { Sha256 } from "./sha256.ts";
import { tfjsHandler, type TfjsIOHandler } from "./tfjs-handler.ts";
import type { DeletedFile, DownloadOptions, FileAnnotations, FileBuilderOptions, FileContent, FileInfo, FileStore, FileUpdate, SaveImageOptions, SaveOptions } from "./types.ts";

/** What builders share: the experiment, its file store and the runtime's file system. */
export interface FilesContext {
  readonly host: Host;
  /** The store (created on first use). */
  store(): FileStore;
  readonly localFiles: LocalFileSystem | undefined;
  readonly sha256: () => Sha256;
}

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
    return this.put(options.to ?? fileName(data), () => toContent(data), options);
  }

  /** Saves a string as UTF-8. @example await exp.files.saveText("lr: 0.1", { to: "configs/view.yaml" }); */
  async saveText(text: string, options: SaveOptions): Promise<FileInfo> {
    this.ctx.host._writable(this.where("saveText"));
    if (typeof text !== "string") throw new ValidationError(`saveText() takes a string, got ${typeof text}`, { field: "text" });
    return this.put(options?.to, () => toContent(text), options);
  }

  /** Saves a value as JSON the way Python's `json.dump(value, indent=2)` writes it. */
  async saveJson(value: unknown, options: SaveOptions): Promise<FileInfo> {
    this.ctx.host._writable(this.where("saveJson"));
    const text = pyJsonIndent(normalizeValue(value, "value", this.where("saveJson")));
    return this.put(options?.to, () => toContent(text), options);
  }

  /** Saves raw bytes (or a Blob / stream). */
  async saveBlob(data: FileData, options: SaveOptions): Promise<FileInfo> {
    this.ctx.host._writable(this.where("saveBlob"));
    return this.put(options?.to ?? fileName(data), () => toContent(data), options);
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
    return this.put(options.to, async () => ({ kind: "bytes", bytes: (await encodeImage(image, filename, options.quality)).bytes }), options);
  }

  /** Uploads a file from the local file system (Node, Bun, Deno); `to` defaults to its name. */
  async upload(localPath: string, options: SaveOptions = {}): Promise<FileInfo> {
    this.ctx.host._writable(this.where("upload"));
    const fs = this.fs("upload");
    if (typeof localPath !== "string" || localPath === "") throw new ValidationError(`upload() needs a local file path, got ${JSON.stringify(localPath)}`, { field: "localPath" });
    // Everything is checked before the file is opened, so a bad `to` leaves no open handle behind.
    return this.put(options.to ?? baseName(localPath), async () => {
      const file = await fs.open(localPath);
      return { kind: "stream", stream: file.stream, size: file.size };
    }, options);
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
    const p = pattern?.replace(/^\/+/, "");
    const tags = this.options.tags ?? [];
    return (await this.ctx.store().records()).filter(
      (f) =>
        f.deletedAt === null &&
        inDir(f.path, this.dir) &&
        (tags.length === 0 || f.tags.some((t) => tags.includes(t))) &&
        (p === undefined || p === "" || globMatch(p, f.filename) || globMatch(p, fullPath(f.path, f.filename))),
    );
  }

  /** The file's bytes (checksum verified). */
  async read(): Promise<Uint8Array> {
    this.ctx.host._readable(this.where("read"));
    return this.ctx.store().read(await this.target());
  }

  /** The file's text (UTF-8). */
  async readText(): Promise<string> {
    return decoder.decode(await this.read());
  }

  /** The file parsed as JSON (Python's NaN / Infinity tokens accepted). */
  async readJson<T = unknown>(): Promise<T> {
    return parsePyJson(await this.readText()) as T;
  }

  /** The file's bytes as a stream (for large files). */
  async stream(): Promise<ReadableStream<Uint8Array>> {
    this.ctx.host._readable(this.where("stream"));
    return this.ctx.store().stream(await this.target());
  }

  /** The file's record, or a `NotFoundError`. */
  async info(): Promise<FileInfo> {
    this.ctx.host._readable(this.where("info"));
    return this.target();
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
    if (typeof patternOrOptions === "string") {
      const files = await this.list(patternOrOptions);
      if (files.length === 0) throw new NotFoundError(`No files found matching pattern ${JSON.stringify(patternOrOptions)}`);
      const dir = options.to ?? ".";
      const out: string[] = [];
      for (const f of files) out.push(await downloadTo(fs, this.ctx.store(), this.ctx.sha256, f, fs.join(dir, f.filename)));
      return out;
    }
    const f = await this.target();
    return downloadTo(fs, this.ctx.store(), this.ctx.sha256, f, patternOrOptions?.to ?? f.filename);
  }

  /** Soft-deletes the file, or with a pattern every match (a list of `{ id, deletedAt }`). */
  delete(): Promise<DeletedFile>;
  delete(pattern: string): Promise<DeletedFile[]>;
  async delete(pattern?: string): Promise<DeletedFile | DeletedFile[]> {
    this.ctx.host._writable(this.where("delete"));
    if (pattern !== undefined) {
      const files = await this.list(pattern);
      if (files.length === 0) throw new NotFoundError(`No files found matching pattern ${JSON.stringify(pattern)}`);
      // Issued together so the store commits them in one metadata write.
      return Promise.all(files.map((f) => this.ctx.store().delete(f.id)));
    }
    const id = this.options.fileId ?? (await this.target()).id;
    return this.ctx.store().delete(id);
  }

  /**
   * Changes the file's description, tags and metadata: the builder's annotations, then `patch`
   * on top. Only the fields given change (unlike Python, a missing `tags` keeps the tags).
   *
   * @example await exp.files({ fileId }).update({ tags: ["best"] });
   */
  async update(patch: FileUpdate = {}): Promise<FileInfo> {
    this.ctx.host._writable(this.where("update"));
    const id = this.options.fileId ?? (await this.target()).id;
    const merged: { description?: string | null; tags?: readonly string[]; metadata?: Record<string, unknown> | null } = {};
    const description = patch.description !== undefined ? patch.description : this.options.description;
    const tags = patch.tags ?? this.options.tags;
    const metadata = patch.metadata !== undefined ? patch.metadata : this.options.metadata;
    if (description !== undefined) merged.description = checkDescription(description);
    if (tags !== undefined) merged.tags = checkStrings(tags, "tags");
    if (metadata !== undefined) merged.metadata = metadata === null ? null : checkMetadata(metadata, this.where("update"));
    return this.ctx.store().update(id, merged);
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
    return tfjsHandler(new FileBuilder(this.ctx, path), this.options, (f) => this.ctx.store().read(f));
  }

  // ---- internals

  /** Checks the target and annotations first, then makes the content (reading a Blob, opening a file, encoding) and saves. */
  private async put(to: string | undefined, content: () => Promise<FileContent>, options: SaveOptions = {}): Promise<FileInfo> {
    const { path, filename } = resolveTarget(this.dir, to);
    const ann = this.annotations(options);
    return this.ctx.store().save({ path, filename, content: await content(), contentType: contentTypeOf(filename), ...ann });
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

  /** The one file this builder addresses: by id, else by path (full path first, then a bare file name, as Python). */
  private async target(): Promise<FileInfo> {
    const records = await this.ctx.store().records();
    const id = this.options.fileId;
    if (id !== undefined) {
      const f = records.find((r) => r.id === id && r.deletedAt === null);
      if (!f) throw new NotFoundError(`File ${id} not found`);
      return f;
    }
    const p = this.dir.slice(1);
    if (p === "") throw new ValidationError('No file given: address one file as exp.files("dir/name.ext") or exp.files({ fileId })', { field: "path" });
    const live = records.filter((r) => r.deletedAt === null);
    const f = live.find((r) => fullPath(r.path, r.filename) === p) ?? live.find((r) => r.filename === p);
    if (!f) throw new NotFoundError(`File not found: ${p}`);
    return f;
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
