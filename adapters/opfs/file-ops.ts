/**
 * How the OPFS adapter changes files. `fileOps(mode)` returns the operations, done either with
 * sync access handles (`"sync"`: appends write in place at the end of the file) or with
 * writable streams (`"writable"`: for windows that cannot start a worker; Chromium starts the
 * swap file of `keepExistingData` as a copy, so an append there costs the size of the file).
 *
 * `fileOps` is also the program of the adapter's I/O worker (io-worker.ts), which is started
 * from its source text. So it must stay self-contained: no imports, nothing from outside its
 * body, and no syntax a bundler would lower with helpers (async functions, classes, spread,
 * for-of, optional chaining), whatever the build target.
 */

/** Changes to files, addressed by path segments from the OPFS root. */
export interface FileOps {
  /** Appends at the end of the file, creating it (and its folders) when missing. */
  append(path: string[], data: Uint8Array): Promise<void>;
  /** Appends `parts` in order, as `append` of their concatenation. */
  appendParts(path: string[], parts: Uint8Array[]): Promise<void>;
  /** Replaces the file atomically: a temporary file beside it, moved over it. */
  replace(path: string[], data: Uint8Array): Promise<void>;
  /** Cuts the file to `size` bytes when it is longer. */
  truncate(path: string[], size: number): Promise<void>;
  /** Moves `from` over `to` (atomic replace of `to`). */
  move(from: string[], to: string[]): Promise<void>;
  /** Removes a file, or a folder with `recursive`; a missing one is not an error. */
  remove(path: string[], recursive: boolean): Promise<void>;
  /** Closes the handles kept open at or below `path`, so other realms may move or remove them. */
  release(path: string[]): Promise<void>;
  /**
   * Makes the completed writes of these files durable against power loss: a sync handle's
   * `flush()` (an fdatasync), through a handle opened for it when none is; a missing file is
   * skipped. Appends do not flush (as node-fs's do not fsync): `sync()` calls this. With
   * writable streams there is nothing to flush (each stream's close has written its file).
   */
  flush(paths: string[][]): Promise<void>;
}

/** The operations; `idleMs` is how long a sync handle stays open after its last use. */
export function fileOps(mode: "sync" | "writable", idleMs: number): FileOps {
  interface SyncHandle {
    write(b: Uint8Array, o: { at: number }): number;
    truncate(n: number): void;
    getSize(): number;
    flush(): void;
    close(): void;
  }
  interface Open {
    handle: Promise<SyncHandle>;
    users: number;
    timer: ReturnType<typeof setTimeout> | undefined;
  }
  type Dir = FileSystemDirectoryHandle;
  type File = FileSystemFileHandle & {
    createSyncAccessHandle(o: { mode: string }): Promise<SyncHandle>;
    move(d: Dir, name: string): Promise<void>;
  };

  const dirs = new Map<string, Promise<Dir>>();
  const open = new Map<string, Open>();
  let counter = 0;

  const nameOf = (e: unknown): string => String(e && (e as { name?: string }).name);
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  // Another tab or worker may hold the file open for a moment: wait for it (about 5 s at most).
  function whileLocked<T>(fn: () => Promise<T>, attempt: number): Promise<T> {
    return fn().catch((err: unknown) => {
      if (nameOf(err) !== "NoModificationAllowedError" || attempt >= 60) throw err;
      return sleep(Math.min(Math.pow(2, attempt), 100)).then(() => whileLocked(fn, attempt + 1));
    });
  }

  function dir(parts: string[]): Promise<Dir> {
    const key = parts.join("/");
    const hit = dirs.get(key);
    if (hit) return hit;
    const made: Promise<Dir> =
      parts.length === 0
        ? navigator.storage.getDirectory()
        : dir(parts.slice(0, -1)).then((d) => d.getDirectoryHandle(parts[parts.length - 1] as string, { create: true }));
    dirs.set(key, made);
    made.catch(() => {
      if (dirs.get(key) === made) dirs.delete(key);
    });
    return made;
  }

  // A folder removed by another tab leaves stale handles in the cache: look up again once.
  function file(path: string[]): Promise<File> {
    const lookup = (): Promise<File> => dir(path.slice(0, -1)).then((d) => d.getFileHandle(path[path.length - 1] as string, { create: true }) as Promise<File>);
    return lookup().catch((err: unknown) => {
      if (nameOf(err) !== "NotFoundError") throw err;
      dirs.clear();
      return lookup();
    });
  }

  function release(key: string): Promise<void> {
    const o = open.get(key);
    if (!o) return Promise.resolve();
    open.delete(key);
    if (o.timer !== undefined) clearTimeout(o.timer);
    return o.handle.then(
      (h) => h.close(),
      () => undefined,
    );
  }

  function releaseUnder(prefix: string): Promise<void> {
    const all: Promise<void>[] = [];
    open.forEach((_o, key) => {
      if (key === prefix || key.indexOf(prefix + "/") === 0) all.push(release(key));
    });
    return Promise.all(all).then(() => undefined);
  }

  // Opening a sync handle should take milliseconds; one that has not opened after 10 s fails (the
  // write is retried by the caller) instead of stalling every later write, and is closed if it
  // opens after all.
  function opened(pending: Promise<SyncHandle>, key: string): Promise<SyncHandle> {
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        reject(new Error("OPFS did not open a sync access handle on " + key + " within 10 s"));
      }, 10_000);
      pending.then(
        (h) => {
          clearTimeout(timer);
          if (late) h.close();
          else resolve(h);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  // Runs `fn` with the file's sync handle, kept open while it is in use and `idleMs` after.
  function withHandle(path: string[], fn: (h: SyncHandle) => void): Promise<void> {
    const key = path.join("/");
    let o = open.get(key);
    if (!o) {
      const handle = whileLocked(() => file(path).then((f) => opened(f.createSyncAccessHandle({ mode: "readwrite-unsafe" }), key)), 0);
      o = { handle, users: 0, timer: undefined };
      open.set(key, o);
      handle.catch(() => {
        if (open.get(key) === o) open.delete(key);
      });
    }
    const entry = o;
    entry.users++;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = undefined;
    const done = (): void => {
      entry.users--;
      if (entry.users === 0 && open.get(key) === entry) entry.timer = setTimeout(() => void release(key), idleMs);
    };
    return entry.handle.then(fn).then(done, (err: unknown) => {
      done();
      throw err;
    });
  }

  function writeAll(h: SyncHandle, data: Uint8Array, at: number): void {
    let off = 0;
    while (off < data.length) {
      const n = h.write(data.subarray(off), { at: at + off });
      if (n <= 0) throw new Error("short write: " + off + " of " + data.length + " bytes");
      off += n;
    }
  }

  // A fresh temporary file is filled through a writable stream (no copy: it is empty). An
  // exclusive sync handle on a just-created file sometimes never opens in Chromium 156.
  function fill(f: File, data: Uint8Array): Promise<void> {
    return f.createWritable().then((ws) => ws.write(data as Uint8Array<ArrayBuffer>).then(() => ws.close()));
  }

  function move(from: string[], to: string[]): Promise<void> {
    return Promise.all([release(from.join("/")), release(to.join("/"))])
      .then(() => Promise.all([file(from), dir(to.slice(0, -1))]))
      .then((fd) => whileLocked(() => fd[0].move(fd[1], to[to.length - 1] as string), 0));
  }

  // Looks a folder up without creating it (for removals); not cached.
  function existingDir(parts: string[]): Promise<Dir> {
    let d: Promise<Dir> = navigator.storage.getDirectory();
    parts.forEach((p) => {
      d = d.then((parent) => parent.getDirectoryHandle(p));
    });
    return d;
  }

  const ops: FileOps = {
    append(path, data) {
      if (mode === "sync") {
        return withHandle(path, (h) => {
          writeAll(h, data, h.getSize());
        });
      }
      return file(path).then((f) =>
        whileLocked(
          () =>
            f.getFile().then((snapshot) =>
              f.createWritable({ keepExistingData: true }).then((ws) =>
                ws
                  .write({ type: "write", position: snapshot.size, data: data as Uint8Array<ArrayBuffer> })
                  .then(() => ws.close())
                  .catch((err: unknown) => ws.abort().then(() => Promise.reject(err))),
              ),
            ),
          0,
        ),
      );
    },

    appendParts(path, parts) {
      if (mode === "sync") {
        return withHandle(path, (h) => {
          let at = h.getSize();
          for (let i = 0; i < parts.length; i++) {
            writeAll(h, parts[i] as Uint8Array, at);
            at += (parts[i] as Uint8Array).length;
          }
        });
      }
      // A writable stream copies the file per append: one append of the concatenation.
      let size = 0;
      for (let i = 0; i < parts.length; i++) size += (parts[i] as Uint8Array).length;
      const all = new Uint8Array(size);
      size = 0;
      for (let i = 0; i < parts.length; i++) {
        all.set(parts[i] as Uint8Array, size);
        size += (parts[i] as Uint8Array).length;
      }
      return ops.append(path, all);
    },

    replace(path, data) {
      const tmp = path.slice(0, -1).concat(path[path.length - 1] + ".tmp-" + Date.now().toString(36) + "-" + (counter++).toString(36) + "-" + Math.random().toString(36).slice(2, 6));
      return file(tmp)
        .then((f) => fill(f, data))
        .then(() => move(tmp, path))
        .catch((err: unknown) => ops.remove(tmp, false).then(() => Promise.reject(err)));
    },

    truncate(path, size) {
      if (mode === "sync") {
        return withHandle(path, (h) => {
          if (size < h.getSize()) h.truncate(size);
          h.flush();
        });
      }
      return file(path).then((f) =>
        whileLocked(
          () => f.createWritable({ keepExistingData: true }).then((ws) => ws.truncate(size).then(() => ws.close())),
          0,
        ),
      );
    },

    move,

    remove(path, recursive) {
      const key = path.join("/");
      return releaseUnder(key)
        .then(() => existingDir(path.slice(0, -1)))
        .then((d) => whileLocked(() => d.removeEntry(path[path.length - 1] as string, { recursive }), 0))
        .then(
          () => {
            dirs.forEach((_d, k) => {
              if (k === key || k.indexOf(key + "/") === 0) dirs.delete(k);
            });
          },
          (err: unknown) => {
            if (nameOf(err) !== "NotFoundError") throw err;
          },
        );
    },

    release(path) {
      return releaseUnder(path.join("/"));
    },

    flush(paths) {
      if (mode !== "sync") return Promise.resolve();
      return Promise.all(
        paths.map((path) => {
          const key = path.join("/");
          if (open.has(key)) return withHandle(path, (h) => h.flush());
          // Released since its last write: opened for the flush (never created: a file deleted since is skipped).
          return existingDir(path.slice(0, -1))
            .then((d) => d.getFileHandle(path[path.length - 1] as string) as Promise<File>)
            .then((f) => whileLocked(() => opened(f.createSyncAccessHandle({ mode: "readwrite-unsafe" }), key), 0))
            .then(
              (h) => {
                try {
                  h.flush();
                } finally {
                  h.close();
                }
              },
              (err: unknown) => {
                if (nameOf(err) !== "NotFoundError") throw err;
              },
            );
        }),
      ).then(() => undefined);
    },
  };
  return ops;
}
