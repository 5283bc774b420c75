/**
 * The files of a hybrid run: `exp.files` (the local store, with every change then sent to the
 * server) and the file sync behind it, loaded when there is something to sync. A run whose local
 * store has no file and that saves none never downloads the local file store, file-sync.ts and
 * file-plan.ts.
 */
import type { LocalFileStore } from "../files/local-file-store.ts";
import type { DeletedFile, FileInfo, FileStore, FileUpdate, SaveRequest } from "../files/types.ts";
import type { FileSync, FileSyncHooks } from "./file-sync.ts";

/** {@link FileSync}, started on first need. */
export class LazyFileSync {
  private loaded: Promise<FileSync> | undefined;
  private catching: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly local: () => Promise<LocalFileStore>,
    /** Whether the local store has file records (a cheap check: no file store code loads for it). */
    private readonly hasFiles: () => Promise<boolean>,
    private readonly hooks: FileSyncHooks,
  ) {}

  private sync(): Promise<FileSync> {
    return (this.loaded ??= Promise.all([import("./file-sync.ts"), this.local()]).then(([{ FileSync }, local]) => {
      const s = new FileSync(local, this.hooks);
      if (this.closed) s.close();
      return s;
    }));
  }

  /** Compares every local place with the server (at connect), when the local store has files. */
  catchUp(): Promise<void> {
    const catching = (async () => {
      // Nothing a previous process left: no sync to start (a save starts it).
      if (!this.loaded && !(await this.hasFiles())) return;
      await (await this.sync()).catchUp();
    })();
    this.catching = catching;
    return catching.finally(() => {
      if (this.catching === catching) this.catching = undefined;
    });
  }

  /** A place changed locally. */
  async touch(f: { readonly path: string; readonly filename: string }): Promise<void> {
    (await this.sync()).touch(f);
  }

  /** Resolves when the server matches every change made so far (see {@link FileSync.flush}). */
  async flush(): Promise<void> {
    // A catch-up still listing the local files has not started the sync yet: wait for it, so
    // a flush right after start covers what a previous process left.
    const catching = this.catching;
    if (catching) await catching.catch(() => undefined);
    if (this.loaded) await (await this.loaded).flush();
  }

  /** Stops syncing (see {@link FileSync.close}). */
  close(): void {
    this.closed = true;
    void this.loaded?.then((s) => s.close());
  }
}

/** `exp.files` of a hybrid run: the local store, with every change then sent to the server. */
export class HybridFileStore implements FileStore {
  constructor(
    private readonly local: () => Promise<LocalFileStore>,
    private readonly sync: LazyFileSync,
  ) {}

  async save(req: SaveRequest): Promise<FileInfo> {
    const info = await (await this.local()).save(req);
    await this.sync.touch(info);
    return info;
  }

  async records(): Promise<FileInfo[]> {
    return (await this.local()).records();
  }

  async read(file: FileInfo): Promise<Uint8Array> {
    return (await this.local()).read(file);
  }

  async stream(file: FileInfo): Promise<ReadableStream<Uint8Array>> {
    return (await this.local()).stream(file);
  }

  async delete(id: string): Promise<DeletedFile> {
    const local = await this.local();
    const done = await local.delete(id);
    const f = (await local.records()).find((r) => r.id === id);
    if (f) await this.sync.touch(f);
    return done;
  }

  async update(id: string, patch: FileUpdate): Promise<FileInfo> {
    const info = await (await this.local()).update(id, patch);
    await this.sync.touch(info);
    return info;
  }

  flush(): Promise<void> {
    return this.sync.flush();
  }
}
