/**
 * `exp.files(dir, options)`: a folder of the run's files, with the annotations every save made
 * through it carries. The same builder addresses one file when its path names a file
 * (`exp.files("models/model.bin").read()`) or when it has a `fileId`.
 *
 * The builder checks its folder at construction and the run's state at each call; what a call
 * then does (`builder-impl.ts`, with the file operations) loads on the first call.
 */
import { ValidationError } from "../../errors.ts";
import { normalizeValue } from "../../model/values.ts";
import type { FileData } from "../../files/content.ts";
import type { ImageSource } from "../../files/image-encode.ts";
import { normalizeDir } from "../../files/names.ts";
import type { TfjsIOHandler } from "../../files/tfjs-handler.ts";
import type { DeletedFile, DownloadOptions, FileBuilderOptions, FileInfo, FileUpdate, SaveImageOptions, SaveOptions } from "../../files/types.ts";
import type { BuilderCore, FilesContext } from "./files-context.ts";

export type { FilesContext } from "./files-context.ts";

type Impl = typeof import("./builder-impl.ts");

/** The builder's calls and the file operations: loaded on the first call that needs them. */
export const builderImpl = (): Promise<Impl> => import("./builder-impl.ts");

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
    return this.call("save", true, (impl, b) => impl.save(b, data as FileData, options));
  }

  /** Saves a string as UTF-8. @example await exp.files.saveText("lr: 0.1", { to: "configs/view.yaml" }); */
  saveText(text: string, options: SaveOptions): Promise<FileInfo> {
    return this.call("saveText", true, (impl, b) => impl.saveText(b, text, options));
  }

  /** Saves a value as JSON the way Python's `json.dump(value, indent=2)` writes it. */
  async saveJson(value: unknown, options: SaveOptions): Promise<FileInfo> {
    const where = this.where("saveJson");
    this.ctx.host._writable(where);
    // Copied now (as the caller had it); written as Python's json.dump(indent=2) would.
    const copy = normalizeValue(value, "value", where);
    return (await builderImpl()).saveJson(this.core(), copy, options);
  }

  /** Saves raw bytes (or a Blob / stream). */
  saveBlob(data: FileData, options: SaveOptions): Promise<FileInfo> {
    return this.call("saveBlob", true, (impl, b) => impl.saveBlob(b, data, options));
  }

  /**
   * Saves an image as PNG or JPEG (by the extension of `to`). Accepts `ImageData`,
   * `{ data, width, height, channels? }` (8-bit data as is; other numbers scaled as Python does),
   * nested H×W or H×W×C arrays, and in browsers a canvas, OffscreenCanvas or ImageBitmap.
   *
   * @example await exp.files("frames").saveImage({ data: rgb, width: 64, height: 48, channels: 3 }, { to: "frame_00001.png" });
   */
  saveImage(image: ImageSource, options: SaveImageOptions): Promise<FileInfo> {
    return this.call("saveImage", true, (impl, b) => impl.saveImage(b, image, options));
  }

  /** Uploads a file from the local file system (Node, Bun, Deno); `to` defaults to its name. */
  upload(localPath: string, options: SaveOptions = {}): Promise<FileInfo> {
    return this.call("upload", true, (impl, b) => impl.upload(b, localPath, options));
  }

  /**
   * The files in this folder (and below) that are not deleted, optionally filtered by a glob
   * over the file name or the path (`*` crosses `/` as in Python's fnmatch; `**`, `?`, `[...]`)
   * and by the builder's tags (any of them).
   *
   * @example await exp.files("images").list("*.png")
   */
  list(pattern?: string): Promise<FileInfo[]> {
    return this.call("list", false, (impl, b) => impl.list(b, pattern));
  }

  /** The file's bytes (checksum verified). */
  read(): Promise<Uint8Array> {
    return this.call("read", false, (impl, b) => impl.read(b));
  }

  /** The file's text (UTF-8). */
  readText(): Promise<string> {
    return this.call("read", false, (impl, b) => impl.readText(b));
  }

  /** The file parsed as JSON (Python's NaN / Infinity tokens accepted). */
  async readJson<T = unknown>(): Promise<T> {
    return (await this.call("read", false, (impl, b) => impl.readJson(b))) as T;
  }

  /** The file's bytes as a stream (for large files). */
  stream(): Promise<ReadableStream<Uint8Array>> {
    return this.call("stream", false, (impl, b) => impl.stream(b));
  }

  /** The file's record, or a `NotFoundError`. */
  info(): Promise<FileInfo> {
    return this.call("info", false, (impl, b) => impl.info(b));
  }

  /** True when the file exists (and is not deleted). */
  exists(): Promise<boolean> {
    return this.call("info", false, (impl, b) => impl.exists(b));
  }

  /**
   * Writes the file to the local file system (Node, Bun, Deno) and verifies its SHA-256. With a
   * pattern, every match goes into the folder `to` (default `.`) and the paths are returned.
   */
  download(options?: DownloadOptions): Promise<string>;
  download(pattern: string, options?: DownloadOptions): Promise<string[]>;
  download(patternOrOptions?: string | DownloadOptions, options: DownloadOptions = {}): Promise<string | string[]> {
    return this.call("download", false, (impl, b) => impl.download(b, patternOrOptions, options));
  }

  /** Soft-deletes the file, or with a pattern every match (a list of `{ id, deletedAt }`). */
  delete(): Promise<DeletedFile>;
  delete(pattern: string): Promise<DeletedFile[]>;
  delete(pattern?: string): Promise<DeletedFile | DeletedFile[]> {
    return this.call("delete", true, (impl, b) => impl.remove(b, pattern));
  }

  /**
   * Changes the file's description, tags and metadata: the builder's annotations, then `patch`
   * on top. Only the fields given change (unlike Python, a missing `tags` keeps the tags).
   *
   * @example await exp.files({ fileId }).update({ tags: ["best"] });
   */
  update(patch: FileUpdate = {}): Promise<FileInfo> {
    return this.call("update", true, (impl, b) => impl.update(b, patch));
  }

  /**
   * A TensorFlow.js IO handler that saves and loads a model as files of this run
   * (`<dir>/<name>/model.json` and `weights.bin`). The name is checked, and the handler's code
   * loaded, on its first save or load.
   *
   * @example
   * ```ts
   * await model.save(exp.files("models").tfjs("mnist"));
   * const again = await tf.loadLayersModel(exp.files("models").tfjs("mnist"));
   * ```
   */
  tfjs(name: string): TfjsIOHandler {
    const handler = async (): Promise<TfjsIOHandler> => (await builderImpl()).tfjs(this.core(), name);
    return {
      save: async (artifacts) => (await handler()).save(artifacts),
      load: async () => (await handler()).load(),
    };
  }

  // ---- internals

  /** Checks the run's state at the call (writable, or readable), then loads the calls and runs `body`. */
  private async call<T>(method: string, write: boolean, body: (impl: Impl, b: BuilderCore) => Promise<T> | T): Promise<T> {
    const where = this.where(method);
    if (write) this.ctx.host._writable(where);
    else this.ctx.host._readable(where);
    return body(await builderImpl(), this.core());
  }

  private core(): BuilderCore {
    return { ctx: this.ctx, dir: this.dir, options: this.options, where: (m) => this.where(m), list: (p) => this.list(p), child: (p) => new FileBuilder(this.ctx, p) };
  }

  private where(method: string): string {
    const arg = this.options.fileId !== undefined ? `{ fileId: ${JSON.stringify(this.options.fileId)} }` : JSON.stringify(this.dir);
    return `files(${arg}).${method}()`;
  }
}
