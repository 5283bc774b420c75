/** What the files API's builder and its calls (`builder-impl.ts`, loaded on first use) share. */
import type { Host } from "../host.ts";
import type { LocalFileSystem } from "../../files/local-fs.ts";
import type { Sha256 } from "../../files/sha256.ts";
import type { TfjsModelFolder } from "../../files/tfjs-handler.ts";
import type { FileBuilderOptions, FileInfo, FileStore } from "../../files/types.ts";

/** What builders share: the experiment, its file store and the runtime's file system. */
export interface FilesContext {
  readonly host: Host;
  /** The store (created on first use). */
  store(): Promise<FileStore>;
  readonly localFiles: LocalFileSystem | undefined;
  /** The runtime's incremental SHA-256, if it has a native one (else the portable one is used). */
  readonly sha256: (() => Sha256) | undefined;
}

/** A builder as its calls see it. */
export interface BuilderCore {
  readonly ctx: FilesContext;
  readonly dir: string;
  readonly options: FileBuilderOptions;
  /** `files("models").save()`, for messages. */
  where(method: string): string;
  /** The builder's own `list(pattern)`, checks included (downloads and deletes by pattern). */
  list(pattern: string): Promise<FileInfo[]>;
  /** A builder of the same files context at `path` (a tfjs model's folder). */
  child(path: string): TfjsModelFolder;
}
