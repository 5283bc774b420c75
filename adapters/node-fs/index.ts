/**
 * `nodeFsAdapter({ root })`: the `.dash` tree on a file system, through `node:fs` (Node and
 * Bun). Appends go through cached file handles opened for appending; replaces write a temp file
 * and rename it; every key's writes are serialised so appends land in call order.
 */
import { constants, promises as fsp, readdir as readdirCallback, stat as statCallback, type Dirent, type Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { fileHandleStream } from "./file-stream.ts";
import { appendFileAtomically, takeLease } from "./sync-io.ts";
import { assertValidKey, groupSync, HandleCache, PendingChanges, NamedMutex, tempName, walkFiles, type StorageAdapter, type StorageStat, type WalkEntry } from "../../src/storage/kit.ts";

/** Options of {@link nodeFsAdapter}. */
export interface NodeFsAdapterOptions {
  /** The store's root folder (created when first written). Default `.dash`. */
  readonly root?: string;
  /** Most append handles kept open at once. Default 64. */
  readonly maxOpenFiles?: number;
  /**
   * Also sync (fsync what changed) this long after a change, without waiting for `sync()`
   * (ms). Default: only on `sync()`, which `exp.flush()` and the end of a run call. `ml-dash
   * serve` sets 1000: what it answered is on disk within a second.
   */
  readonly syncWithinMs?: number;
  /**
   * Told when a sync scheduled by `syncWithinMs` fails (it is tried again `syncWithinMs` later),
   * with how many have failed in a row. Default: a console warning at the 1st, 10th, 100th….
   */
  readonly onSyncError?: (err: unknown, failures: number) => void;
}

/**
 * `stat` and `readdir` through the callback API: a listing stats every document of every run,
 * and `fs/promises` costs the event loop about twice as much per call (a 200-run folder listed
 * in 33–46 ms with it, 25 ms without, on this 2-core machine).
 */
function statFast(path: string): Promise<Stats> {
  return new Promise((ok, fail) => statCallback(path, (err, st) => (err ? fail(err) : ok(st))));
}
function readdirFast(path: string): Promise<Dirent[]> {
  return new Promise((ok, fail) => readdirCallback(path, { withFileTypes: true }, (err, entries) => (err ? fail(err) : ok(entries))));
}

function isMissing(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "ENOENT";
}

/**
 * A storage adapter over a folder of the local file system (Node and Bun).
 *
 * @example
 * ```ts
 * const storage = nodeFsAdapter({ root: ".dash" });
 * const exp = new Experiment("alice/mnist/run-1", { storage });
 * ```
 */
export function nodeFsAdapter(options: NodeFsAdapterOptions = {}): StorageAdapter & { readonly root: string } {
  const root = resolve(options.root ?? ".dash");
  const handles = new HandleCache<FileHandle>(options.maxOpenFiles ?? 64); // open append handles
  // What changed since the last sync(); a sync is scheduled after a change with syncWithinMs.
  const changes = new PendingChanges({ withinMs: options.syncWithinMs, onError: options.onSyncError, sync: () => sync(), unref: (t) => t.unref() });
  const queue = new NamedMutex(); // per-key write order
  const locks = new NamedMutex();
  // Folders known to exist, so a write into a new folder (every saved file gets its own) makes
  // it first instead of failing an open, building an ENOENT error and retrying.
  const dirs = new Set<string>();

  async function ensureDir(dir: string): Promise<void> {
    if (dirs.has(dir)) return;
    madeDirs(dir, await fsp.mkdir(dir, { recursive: true }));
    if (dirs.size > 10_000) dirs.clear();
    dirs.add(dir);
  }

  // A valid key has no empty, "." or ".." segment, so joining needs no normalising (path.join's
  // cost showed in listings, which map a thousand keys to paths).
  const base = root.endsWith(sep) ? root : root + sep;
  /** The path of a checked key, or of a folder the walk reached (`""` = the root). */
  const under = (rel: string): string => (rel === "" ? root : base + (sep === "/" ? rel : rel.split("/").join(sep)));
  const pathOf = (key: string): string => {
    assertValidKey(key);
    return under(key);
  };

  /** Notes, for the next sync(), the parents of the folders `mkdir -p dir` made (`first` is the top one). */
  function madeDirs(dir: string, first: string | undefined): void {
    if (first === undefined) return;
    for (let d = dir; ; d = dirname(d)) {
      changes.dir(dirname(d));
      if (d === first || dirname(d) === d) return;
    }
  }

  /** `path` opened for reading, or null when it does not exist. */
  async function openToRead(path: string): Promise<FileHandle | null> {
    try {
      return await fsp.open(path, "r");
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async function syncFile(key: string): Promise<void> {
    const cached = handles.get(key);
    if (cached) return cached.datasync();
    const h = await fsp.open(under(key), "r").catch(() => undefined); // gone since: nothing to keep
    if (!h) return;
    try {
      await h.datasync();
    } finally {
      await h.close();
    }
  }

  async function syncDir(dir: string): Promise<void> {
    const h = await fsp.open(dir, "r").catch(() => undefined); // removed since (or not openable: Windows)
    if (!h) return;
    try {
      await h.sync();
    } catch (err) {
      // Windows and some file systems cannot fsync a folder: its entries are then the system's.
      if (!["EISDIR", "EPERM", "EINVAL", "EBADF", "ENOTSUP"].includes((err as { code?: string }).code ?? "")) throw err;
    } finally {
      await h.close();
    }
  }

  async function closeHandle(key: string): Promise<void> {
    await handles.take(key)?.close().catch(() => undefined);
  }

  async function openAppend(key: string, path: string): Promise<FileHandle> {
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;
    let h: FileHandle;
    try {
      h = await fsp.open(path, flags, 0o644);
    } catch (err) {
      if (!isMissing(err)) throw err;
      madeDirs(dirname(path), await fsp.mkdir(dirname(path), { recursive: true }));
      h = await fsp.open(path, flags, 0o644);
    }
    changes.dir(dirname(path)); // the file may be new
    // Close the evicted handles after any write already queued on their keys.
    for (const [k, victim] of handles.add(key, h)) void queue.run(k, () => victim.close().catch(() => undefined));
    return h;
  }

  async function writeAll(h: FileHandle, data: Uint8Array, position: number | null): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await h.write(data, off, data.length - off, position === null ? null : position + off);
      off += bytesWritten;
    }
  }

  /** The entries of folder `rel` (a key, `""` = the root); `null` when it is gone. */
  async function readEntries(rel: string): Promise<WalkEntry[] | null> {
    try {
      const names = await readdirFast(under(rel));
      return names.map((d) => ({ name: d.name, isDirectory: d.isDirectory(), isFile: d.isFile() }));
    } catch (err) {
      if (isMissing(err) || (err as { code?: string }).code === "ENOTDIR") return null;
      throw err;
    }
  }

  // The files' bytes first, then the folders naming them.
  const sync = groupSync(() =>
    changes.take(async (files, folders) => {
      await Promise.all(files.map(syncFile));
      await Promise.all(folders.map(syncDir));
    }),
  );

  return {
    name: "node-fs",
    root,
    capabilities: { streams: true, sharedWriters: false, persistent: true },

    async read(key) {
      const path = pathOf(key);
      try {
        const buf = await fsp.readFile(path);
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (err) {
        if (isMissing(err) || (err as { code?: string }).code === "EISDIR") return null;
        throw err;
      }
    },

    async readRange(key, start, end) {
      const h = await openToRead(pathOf(key));
      if (!h) return null;
      try {
        const size = (await h.stat()).size;
        const stop = Math.min(end ?? size, size);
        const len = Math.max(0, stop - start);
        const out = new Uint8Array(len);
        let off = 0;
        while (off < len) {
          const { bytesRead } = await h.read(out, off, len - off, start + off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return off === len ? out : out.subarray(0, off);
      } finally {
        await h.close();
      }
    },

    async stat(key): Promise<StorageStat | null> {
      try {
        const st = await statFast(pathOf(key));
        return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },

    async write(key, data) {
      const path = pathOf(key);
      return queue.run(key, async () => {
        await closeHandle(key);
        const tmp = tempName(path);
        await ensureDir(dirname(path));
        try {
          await fsp.writeFile(tmp, data);
        } catch (err) {
          if (!isMissing(err)) throw err;
          dirs.delete(dirname(path)); // removed behind our back
          await ensureDir(dirname(path));
          await fsp.writeFile(tmp, data);
        }
        try {
          await fsp.rename(tmp, path);
        } catch (err) {
          await fsp.rm(tmp, { force: true });
          throw err;
        }
        changes.file(key);
        changes.dir(dirname(path));
      });
    },

    async append(key, data) {
      const path = pathOf(key);
      return queue.run(key, async () => {
        // A cached handle (marked most recently used) writes at once, without an await first.
        await writeAll(handles.get(key) ?? (await openAppend(key, path)), data, null);
        // Noted once written: a sync() that began meanwhile took the keys before these bytes
        // were in the file, so the next one must take this key again.
        changes.file(key);
      });
    },

    lease(key) {
      return takeLease(pathOf(key));
    },

    appendSync(key, data) {
      const path = pathOf(key);
      // Only when no change of the key is queued: the bytes must land after those.
      if (queue.busy(key)) return false;
      changes.file(key);
      changes.dir(dirname(path)); // the file may be new
      madeDirs(dirname(path), appendFileAtomically(path, data));
      return true;
    },

    async truncate(key, size) {
      const path = pathOf(key);
      return queue.run(key, async () => {
        const h = handles.get(key);
        // Through the open append handle when there is one: appends continue at the new end
        // (O_APPEND), and the handle is not closed and reopened for the next append.
        if (h) await h.truncate(size);
        else {
          try {
            await fsp.truncate(path, size);
          } catch (err) {
            if (!isMissing(err)) throw err;
            return;
          }
        }
        changes.file(key);
      });
    },

    async list(prefix) {
      if (prefix !== "") assertValidKey(prefix);
      const base = under(prefix);
      try {
        const st = await statFast(base);
        if (st.isFile()) return [prefix];
      } catch (err) {
        if (isMissing(err)) return [];
        throw err;
      }
      return (await walkFiles(readEntries, prefix)).sort();
    },

    async delete(key) {
      const path = pathOf(key);
      return queue.run(key, async () => {
        await closeHandle(key);
        await fsp.rm(path, { force: true });
        changes.dir(dirname(path));
      });
    },

    async deletePrefix(prefix) {
      const path = pathOf(prefix);
      for (const key of handles.keys()) {
        if (key === prefix || key.startsWith(prefix + "/")) await queue.run(key, () => closeHandle(key));
      }
      for (const d of dirs) if (d === path || d.startsWith(path + sep)) dirs.delete(d);
      await fsp.rm(path, { recursive: true, force: true });
      changes.dir(dirname(path));
    },

    async readStream(key) {
      const h = await openToRead(pathOf(key));
      return h && fileHandleStream(h, 256 * 1024);
    },

    async writeStream(key) {
      const path = pathOf(key);
      const tmp = tempName(path);
      await ensureDir(dirname(path));
      const h = await fsp.open(tmp, "w").catch(async (err: unknown) => {
        if (!isMissing(err)) throw err;
        dirs.delete(dirname(path)); // removed behind our back
        await ensureDir(dirname(path));
        return fsp.open(tmp, "w");
      });
      let pos = 0;
      return new WritableStream<Uint8Array>({
        async write(chunk) {
          await writeAll(h, chunk, pos);
          pos += chunk.length;
        },
        async close() {
          await h.close();
          await queue.run(key, async () => {
            await closeHandle(key);
            await fsp.rename(tmp, path);
            changes.file(key);
            changes.dir(dirname(path));
          });
        },
        async abort() {
          await h.close().catch(() => undefined);
          await fsp.rm(tmp, { force: true });
        },
      });
    },

    async lock(name, fn) {
      return locks.run(name, fn);
    },

    sync,

    async close() {
      for (const key of handles.keys()) await queue.run(key, () => closeHandle(key));
    },
  };
}
