/**
 * The files of a hybrid run: `exp.files` (the local store, with every change then sent to the
 * server) and the file sync behind it, loaded when there is something to sync. A run whose local
 * store has no file and that saves none never downloads file-sync.ts and file-plan.ts.
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
    private readonly local: LocalFileStore,
    private readonly hooks: FileSyncHooks,
  ) {}

  private sync(): Promise<FileSync> {
    return (this.loaded ??= import("./file-sync.ts").then(({ FileSync }) => {
      const s = new FileSync(this.local, this.hooks);
      if (this.closed) s.close();
      return s;
    }));
  }

  /** Compares every local place with the server (at connect), when the local store has files. */
  catchUp(): Promise<void> {
    const catching = (async () => {
      // Nothing a previous process left: no sync to start (a save starts it).
      if (!this.loaded && (await this.local.records()).length === 0) return;
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
    private readonly local: LocalFileStore,
    private readonly sync: LazyFileSync,
  ) {}

  async save(req: SaveRequest): Promise<FileInfo> {
    const info = await this.local.save(req);
    await this.sync.touch(info);
    return info;
  }

  records(): Promise<FileInfo[]> {
    return this.local.records();
  }

  read(file: FileInfo): Promise<Uint8Array> {
    return this.local.read(file);
  }

  stream(file: FileInfo): Promise<ReadableStream<Uint8Array>> {
    return this.local.stream(file);
  }

  async delete(id: string): Promise<DeletedFile> {
    const done = await this.local.delete(id);
    const f = (await this.local.records()).find((r) => r.id === id);
    if (f) await this.sync.touch(f);
    return done;
  }

  async update(id: string, patch: FileUpdate): Promise<FileInfo> {
    const info = await this.local.update(id, patch);
    await this.sync.touch(info);
    return info;
  }

  flush(): Promise<void> {
    return this.sync.flush();
  }
}
