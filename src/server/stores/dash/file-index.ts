/**
 * The `.dash` store's view of the files of every experiment: each experiment's files are kept by
 * the SDK's own {@link LocalFileStore} (so the server's tree is exactly the local layout, readable
 * by ML-Dash Python), plus the indexes the REST API needs: which experiment holds a file id,
 * and the folder nodes a client creates inside an experiment (Python's client creates one per folder before an upload).
 *
 * Folder ids are derived from the experiment and the folder's path, so a restarted server
 * knows the folders of every stored file again (a folder with no file yet is forgotten; a
 * client creates it again, as Python's does before every upload).
 */
import { DEFAULT_MAX_FILE_BYTES } from "../../../model/defaults.ts";
import { localFileStoreFor, type LocalFileStore } from "../../../files/local-file-store.ts";
import { joinDir } from "../../../files/names.ts";
import type { Sha256 } from "../../../files/sha256.ts";
import type { FileInfo, SaveRequest } from "../../../files/types.ts";
import { parsePrefix } from "../../../model/prefix.ts";
import { nodeId } from "./ids.ts";
import type { ExperimentEntry, Registry } from "./registry.ts";

/** A folder node inside an experiment's files. */
export interface FileFolder {
  readonly id: string;
  readonly experiment: ExperimentEntry;
  /** The logical path (`/models/ckpt`). */
  readonly path: string;
  readonly name: string;
  readonly parentId: string;
}

/** Options of {@link ServerFiles}. */
export interface ServerFilesOptions {
  /** A native incremental SHA-256 (the portable one otherwise). */
  readonly sha256?: (() => Sha256) | undefined;
  /** Largest file accepted. Default 100 GiB (Python's limit). */
  readonly maxFileBytes?: number | undefined;
}

const RESCAN_MS = 2000;
const IDEMPOTENCY_KEYS = 10_000;

/** Files of the experiments of a {@link Registry}. */
export class ServerFiles {
  readonly folders = new Map<string, FileFolder>();
  private readonly stores = new Map<string, LocalFileStore>();
  private readonly owners = new Map<string, ExperimentEntry>();
  private readonly answers = new Map<string, Promise<unknown>>();
  private lastFullIndex = 0;

  constructor(
    private readonly reg: Registry,
    private readonly options: ServerFilesOptions = {},
  ) {}

  /** The largest file accepted (bytes). */
  get maxFileBytes(): number {
    return this.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  /** The file store of an experiment. */
  store(e: ExperimentEntry): LocalFileStore {
    let s = this.stores.get(e.path);
    if (!s) {
      const runtime = this.options.sha256 ? { sha256: this.options.sha256 } : {};
      s = localFileStoreFor(this.reg.storage, parsePrefix(e.path), runtime, this.maxFileBytes);
      this.stores.set(e.path, s);
    }
    return s;
  }

  /** Forgets what is indexed of an experiment (deleted with its project). */
  forget(e: ExperimentEntry): void {
    this.stores.delete(e.path);
    for (const [id, owner] of this.owners) if (owner === e) this.owners.delete(id);
    for (const [id, f] of this.folders) if (f.experiment === e) this.folders.delete(id);
  }

  /** Every record of an experiment (deleted ones included), indexing their ids and folders. */
  async records(e: ExperimentEntry): Promise<FileInfo[]> {
    const records = await this.store(e).records();
    for (const f of records) this.remember(e, f);
    return records;
  }

  /** Notes that `f` belongs to `e` (and that its folders exist). */
  remember(e: ExperimentEntry, f: FileInfo): void {
    this.owners.set(f.id, e);
    let parent = e.nodeId;
    let path = "/";
    for (const name of f.path.split("/").filter(Boolean)) {
      path = joinDir(path, name);
      parent = this.register(e, path, name, parent).id;
    }
  }

  /** The file `id` and its experiment, or undefined (deleted files included). */
  async find(id: string): Promise<{ entry: ExperimentEntry; file: FileInfo } | undefined> {
    const known = this.owners.get(id);
    if (known) {
      const file = (await this.records(known)).find((f) => f.id === id);
      if (file) return { entry: known, file };
    }
    // Files written since (by another process, or before a restart): index every experiment,
    // at most every couple of seconds.
    if (Date.now() - this.lastFullIndex < RESCAN_MS) return undefined;
    await this.reg.refresh();
    for (const e of this.reg.experiments.values()) await this.records(e);
    this.lastFullIndex = Date.now();
    const entry = this.owners.get(id);
    const file = entry ? (await this.records(entry)).find((f) => f.id === id) : undefined;
    return entry && file ? { entry, file } : undefined;
  }

  /** The id of the folder node at `path` (`/a/b`) of an experiment; the experiment's node for `/`. */
  folderId(e: ExperimentEntry, path: string): string {
    return path === "/" ? e.nodeId : nodeId("file-folder", `${e.path}:${path}`);
  }

  /** Creates (or finds) the folder `name` inside the logical folder `parentPath`. */
  upsertFolder(e: ExperimentEntry, parentPath: string, name: string): FileFolder {
    return this.register(e, joinDir(parentPath, name), name, this.folderId(e, parentPath));
  }

  /**
   * The logical path of a parent node: `/` for the experiment (its node id, its id, `ROOT` or
   * nothing), else a folder of this experiment; undefined otherwise.
   */
  async pathOf(e: ExperimentEntry, parentId: string | undefined): Promise<string | undefined> {
    if (parentId === undefined || parentId === "" || parentId === "ROOT" || parentId === e.nodeId || parentId === e.id) return "/";
    let f = this.folders.get(parentId);
    if (!f) {
      await this.records(e); // folders of stored files, after a restart
      f = this.folders.get(parentId);
    }
    return f && f.experiment === e ? f.path : undefined;
  }

  /** Saves a file into `e` (once per idempotency key) and indexes it. */
  save(e: ExperimentEntry, req: SaveRequest, idempotencyKey: string | undefined): Promise<FileInfo> {
    return this.once(idempotencyKey, async () => {
      const info = await this.store(e).save(req);
      this.remember(e, info);
      return info;
    });
  }

  /**
   * Runs a save once per idempotency key: a retry of a request whose answer was lost gets
   * the first answer instead of storing the file again. Keys live in memory (the last 10,000).
   */
  private async once<T>(key: string | undefined, fn: () => Promise<T>): Promise<T> {
    if (key === undefined || key === "") return fn();
    const prior = this.answers.get(key) as Promise<T> | undefined;
    if (prior) {
      try {
        return await prior;
      } catch {
        // the first attempt failed: this one does the work
      }
    }
    const p = fn();
    this.answers.set(key, p);
    if (this.answers.size > IDEMPOTENCY_KEYS) this.answers.delete(this.answers.keys().next().value as string);
    p.catch(() => {
      if (this.answers.get(key) === p) this.answers.delete(key);
    });
    return p;
  }

  private register(e: ExperimentEntry, path: string, name: string, parentId: string): FileFolder {
    const id = this.folderId(e, path);
    let f = this.folders.get(id);
    if (!f) this.folders.set(id, (f = { id, experiment: e, path, name, parentId }));
    return f;
  }
}
