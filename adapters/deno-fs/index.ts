/**
 * `denoFsAdapter({ root })`: the `.dash` tree on a file system, through Deno's file APIs.
 * Appends go through cached handles opened for appending (or, synchronously, a handle opened
 * for the call: `appendSync`); replaces write a temporary file and rename it over the key; every
 * key's changes are serialised so appends land in call order.
 */
import { assertValidKey, groupSync, HandleCache, PendingChanges, NamedMutex, tempName, walkFiles, type StorageAdapter, type StorageStat, type WalkEntry } from "../../src/storage/kit.ts";
import { denoApi, isNotFound, type DenoFile, type DenoSyncFile } from "./deno-api.ts";

/** Options of {@link denoFsAdapter}. */
export interface DenoFsAdapterOptions {
  /** The store's root folder, relative to the working directory or absolute. Default `.dash`. */
  readonly root?: string;
  /** Most append handles kept open at once. Default 64. */
  readonly maxOpenFiles?: number;
  /** Also sync (fsync what changed) this long after a change, without waiting for `sync()` (ms). Default: only on `sync()`. */
  readonly syncWithinMs?: number;
  /**
   * Told when a sync scheduled by `syncWithinMs` fails (it is tried again `syncWithinMs` later),
   * with how many have failed in a row. Default: a console warning at the 1st, 10th, 100th….
   */
  readonly onSyncError?: (err: unknown, failures: number) => void;
}

const parentOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf("/"))) || ".";

async function writeAll(f: DenoFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await f.write(data.subarray(off));
}

/**
 * Appends `data` to `path` synchronously (creating folders as needed); on a failure part-way
 * (disk full) the file is cut back to its size before the call and the error thrown. True when
 * it made the parent folder.
 */
function appendFileSync(path: string, data: Uint8Array): boolean {
  const api = denoApi();
  const open = (): DenoSyncFile => api.openSync(path, { append: true, create: true });
  let f: DenoSyncFile;
  let made = false;
  try {
    f = open();
  } catch (err) {
    if (!isNotFound(err)) throw err;
    api.mkdirSync(parentOf(path), { recursive: true });
    made = true;
    f = open();
  }
  try {
    const before = f.statSync().size;
    try {
      for (let off = 0; off < data.length; ) off += f.writeSync(data.subarray(off));
    } catch (err) {
      try {
        f.truncateSync(before);
      } catch {
        // the write's error is the one to report
      }
      throw err;
    }
  } finally {
    f.close();
  }
  return made;
}

/**
 * A storage adapter over a folder of the local file system (Deno).
 *
 * @example
 * ```ts
 * import { Experiment } from "ml-dash/core";
 * import { denoFsAdapter } from "ml-dash/adapters/deno-fs";
 * const exp = new Experiment("alice/mnist/run-1", { storage: denoFsAdapter({ root: ".dash" }) });
 * ```
 */
export function denoFsAdapter(options: DenoFsAdapterOptions = {}): StorageAdapter & { readonly root: string } {
  const root = (options.root ?? ".dash").replace(/\/+$/, "") || "/";
  const handles = new HandleCache<DenoFile>(options.maxOpenFiles ?? 64);
  const queue = new NamedMutex(); // per-key order of changes
  const locks = new NamedMutex();
  // What changed since the last sync(); a sync is scheduled after a change with syncWithinMs.
  const changes = new PendingChanges({ withinMs: options.syncWithinMs, onError: options.onSyncError, sync: () => sync(), unref: (t) => denoApi().unrefTimer(t as unknown as number) });

  /** Notes, for the next sync(), the folders above `dir` up to the root's parent (`mkdir -p` may have made any of them). */
  function madeDirs(dir: string): void {
    for (let d = dir; ; d = parentOf(d)) {
      changes.dir(parentOf(d));
      if (d === root || d.length <= root.length || parentOf(d) === d) return;
    }
  }

  async function syncFile(key: string): Promise<void> {
    const cached = handles.get(key);
    if (cached) return cached.syncData();
    const f = await denoApi()
      .open(pathOf(key), { read: true, write: true })
      .catch(() => undefined); // gone since: nothing to keep
    if (!f) return;
    try {
      await f.syncData();
    } finally {
      f.close();
    }
  }

  async function syncDir(dir: string): Promise<void> {
    const f = await denoApi()
      .open(dir, { read: true })
      .catch(() => undefined); // removed since (or not openable: Windows)
    if (!f) return;
    try {
      await f.sync();
    } catch (err) {
      // Windows and some file systems cannot fsync a folder: its entries are then the system's.
      if (!["NotSupported", "PermissionDenied", "IsADirectory", "InvalidData", "BadResource"].includes((err as { name?: string }).name ?? "")) throw err;
    } finally {
      f.close();
    }
  }

  const pathOf = (key: string): string => {
    assertValidKey(key);
    return `${root}/${key}`;
  };

  function closeHandle(key: string): void {
    try {
      handles.take(key)?.close();
    } catch {
      // already closed
    }
  }

  /** Runs `fn`, creating the parent folder of `path` when it is missing. */
  async function withParent<T>(path: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await denoApi().mkdir(parentOf(path), { recursive: true });
      madeDirs(parentOf(path));
      return fn();
    }
  }

  async function appendHandle(key: string, path: string): Promise<DenoFile> {
    const cached = handles.get(key);
    if (cached) return cached;
    const f = await withParent(path, () => denoApi().open(path, { append: true, create: true }));
    changes.dir(parentOf(path)); // the file may be new
    for (const [k, victim] of handles.add(key, f)) void queue.run(k, async () => victim.close());
    return f;
  }

  /** Writes a temporary file with `fill`, then renames it over `key`, in the key's turn. */
  function replace(key: string, path: string, tmp: string, fill: () => Promise<void>): Promise<void> {
    return queue.run(key, async () => {
      try {
        await withParent(path, fill);
        closeHandle(key);
        await denoApi().rename(tmp, path);
        changes.file(key);
        changes.dir(parentOf(path));
      } catch (err) {
        await denoApi().remove(tmp).catch(() => undefined);
        throw err;
      }
    });
  }

  /** The entries of folder `rel` (a key, `""` = the root); `null` when it is gone. */
  async function readEntries(rel: string): Promise<WalkEntry[] | null> {
    const out: WalkEntry[] = [];
    try {
      for await (const e of denoApi().readDir(rel === "" ? root : `${root}/${rel}`)) out.push({ name: e.name, isDirectory: e.isDirectory, isFile: e.isFile });
    } catch (err) {
      if (isNotFound(err) || (err as { name?: string }).name === "NotADirectory") return null;
      throw err;
    }
    return out;
  }

  // Each file after the changes queued on it, then the folders naming them.
  const sync = groupSync(() =>
    changes.take(async (files, folders) => {
      await Promise.all(files.map((k) => queue.run(k, () => syncFile(k))));
      await Promise.all(folders.map(syncDir));
    }),
  );

  return {
    name: "deno-fs",
    root,
    capabilities: { streams: true, sharedWriters: false, persistent: true },

    async read(key) {
      const path = pathOf(key);
      try {
        return await denoApi().readFile(path);
      } catch (err) {
        if (isNotFound(err) || (err as { name?: string }).name === "IsADirectory") return null;
        throw err;
      }
    },

    async readRange(key, start, end) {
      const path = pathOf(key);
      let f: DenoFile;
      try {
        f = await denoApi().open(path, { read: true });
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
      try {
        const size = await f.seek(0, 2);
        const from = Math.min(Math.max(0, start), size);
        const len = Math.max(0, Math.min(end ?? size, size) - from);
        const out = new Uint8Array(len);
        await f.seek(from, 0);
        let off = 0;
        while (off < len) {
          const n = await f.read(out.subarray(off));
          if (n === null) break;
          off += n;
        }
        return off === len ? out : out.subarray(0, off);
      } finally {
        f.close();
      }
    },

    async stat(key): Promise<StorageStat | null> {
      try {
        const st = await denoApi().stat(pathOf(key));
        return st.isFile ? { size: st.size, ...(st.mtime ? { mtimeMs: st.mtime.getTime() } : {}) } : null;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },

    async write(key, data) {
      const path = pathOf(key);
      const tmp = tempName(path);
      const copy = data.slice(); // the caller may change its array while the write waits its turn
      await replace(key, path, tmp, () => denoApi().writeFile(tmp, copy));
    },

    async append(key, data) {
      const path = pathOf(key);
      const copy = data.slice();
      return queue.run(key, async () => {
        changes.file(key);
        await writeAll(await appendHandle(key, path), copy);
      });
    },

    // The parts are given to us (the caller never touches them again): written as they are,
    // without the copy an append makes or the concatenation the caller would otherwise make.
    async appendParts(key, parts) {
      const path = pathOf(key);
      return queue.run(key, async () => {
        changes.file(key);
        const handle = await appendHandle(key, path);
        for (const part of parts) await writeAll(handle, part);
      });
    },

    appendSync(key, data) {
      const path = pathOf(key);
      // Only when no change of the key is queued: the bytes must land after those.
      if (queue.busy(key)) return false;
      changes.file(key);
      changes.dir(parentOf(path)); // the file may be new
      if (appendFileSync(path, data)) madeDirs(parentOf(path));
      return true;
    },

    async truncate(key, size) {
      const path = pathOf(key);
      return queue.run(key, async () => {
        closeHandle(key);
        try {
          const st = await denoApi().stat(path);
          if (size < st.size) {
            await denoApi().truncate(path, size);
            changes.file(key);
          }
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      });
    },

    async list(prefix) {
      if (prefix !== "") assertValidKey(prefix);
      const base = prefix === "" ? root : `${root}/${prefix}`;
      try {
        if ((await denoApi().stat(base)).isFile) return [prefix];
      } catch (err) {
        if (isNotFound(err)) return [];
        throw err;
      }
      return (await walkFiles(readEntries, prefix)).sort();
    },

    async delete(key) {
      const path = pathOf(key);
      return queue.run(key, async () => {
        closeHandle(key);
        await denoApi()
          .remove(path)
          .catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          });
        changes.dir(parentOf(path));
      });
    },

    async deletePrefix(prefix) {
      const path = pathOf(prefix);
      for (const key of handles.keys()) {
        if (key === prefix || key.startsWith(prefix + "/")) await queue.run(key, async () => closeHandle(key));
      }
      await denoApi()
        .remove(path, { recursive: true })
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      changes.dir(parentOf(path));
    },

    async readStream(key) {
      const path = pathOf(key);
      try {
        return (await denoApi().open(path, { read: true })).readable; // closes the file when done
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },

    async writeStream(key) {
      const path = pathOf(key);
      const tmp = tempName(path);
      const f = await withParent(path, () => denoApi().open(tmp, { write: true, create: true, truncate: true }));
      return new WritableStream<Uint8Array>({
        write: (chunk) => writeAll(f, chunk),
        async close() {
          f.close();
          await replace(key, path, tmp, async () => undefined);
        },
        async abort() {
          f.close();
          await denoApi().remove(tmp).catch(() => undefined);
        },
      });
    },

    lock(name, fn) {
      return locks.run(name, fn);
    },

    sync,

    async close() {
      for (const key of handles.keys()) await queue.run(key, async () => closeHandle(key));
    },
  };
}
