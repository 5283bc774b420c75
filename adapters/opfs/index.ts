/**
 * `opfsAdapter({ root })`: the `.dash` tree in the browser's origin-private file system, one
 * OPFS file per key under the folder `root`. In dedicated workers files are written through
 * sync access handles (appends in place); in windows through writable streams. Whole-value
 * replaces write a temporary file and move it over the key, so readers see old or new bytes.
 */
import { StorageError, storageError } from "../../src/errors.ts";
import { NamedMutex } from "../../src/internal/mutex.ts";
import { originLocks } from "../../src/internal/web-locks.ts";
import { assertValidKey, type StorageAdapter, type StorageStat } from "../../src/storage/contract.ts";
import { syncHandlesAvailable, syncIO, writableIO, type FileIO } from "./file-io.ts";

/** Options of {@link opfsAdapter}. */
export interface OpfsAdapterOptions {
  /** Folder of the origin-private file system that holds the store (`a/b` nests). Default `.dash`. */
  readonly root?: string;
  /**
   * `auto` (default): sync access handles in dedicated workers, writable streams elsewhere.
   * `sync` or `writable` force one (for tests and benchmarks).
   */
  readonly io?: "auto" | "sync" | "writable";
}

type Dir = FileSystemDirectoryHandle & {
  entries(): AsyncIterable<[string, FileSystemHandle]>;
};
type Movable = FileSystemFileHandle & { move(dir: FileSystemDirectoryHandle, name: string): Promise<void> };

const TMP = ".tmp-";
let tmpCounter = 0;

const errorName = (err: unknown): string | undefined => (err as { name?: string } | null)?.name;
const isMissing = (err: unknown): boolean => errorName(err) === "NotFoundError" || errorName(err) === "TypeMismatchError";
const isLocked = (err: unknown): boolean => errorName(err) === "NoModificationAllowedError";
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` while another tab or worker briefly holds the file open (about 5 s at most). */
async function whileLocked<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isLocked(err) || attempt >= 60) throw err;
      await sleep(Math.min(2 ** attempt, 100));
    }
  }
}

/**
 * A storage adapter over the origin-private file system (browser windows and dedicated
 * workers). Several tabs and workers may write the same run: it takes Web Locks around each
 * stream append.
 *
 * @example
 * ```ts
 * // in a dedicated worker: appends go through sync access handles
 * const exp = new Experiment("alice/mnist/run-1", { storage: opfsAdapter() });
 * ```
 */
export function opfsAdapter(options: OpfsAdapterOptions = {}): StorageAdapter & { readonly root: string; readonly io: FileIO["kind"] } {
  const root = options.root ?? ".dash";
  assertValidKey(root);
  const choice = options.io ?? "auto";
  const io: FileIO = choice === "sync" || (choice === "auto" && syncHandlesAvailable()) ? syncIO : writableIO;
  const locks = originLocks(`ml-dash:opfs:${root}`);
  const queue = new NamedMutex(); // per-key order of changes
  let dirs = new Map<string, Promise<FileSystemDirectoryHandle>>(); // found folders by path

  /** The folder at `path` (relative to the store root), created on demand; found ones are cached. */
  async function dir(path: string, create: boolean): Promise<FileSystemDirectoryHandle> {
    const cached = dirs.get(path);
    if (cached) return cached;
    const slash = path.lastIndexOf("/");
    const found =
      path === ""
        ? await walk(await navigator.storage.getDirectory(), root.split("/"), create)
        : await (await dir(slash < 0 ? "" : path.slice(0, slash), create)).getDirectoryHandle(path.slice(slash + 1), { create });
    dirs.set(path, Promise.resolve(found));
    return found;
  }

  async function walk(from: FileSystemDirectoryHandle, parts: string[], create: boolean): Promise<FileSystemDirectoryHandle> {
    let d = from;
    for (const p of parts) d = await d.getDirectoryHandle(p, { create });
    return d;
  }

  const split = (key: string): [string, string] => {
    const slash = key.lastIndexOf("/");
    return slash < 0 ? ["", key] : [key.slice(0, slash), key.slice(slash + 1)];
  };

  /** Drops cached folders at or below `path` (after a delete, or a folder removed elsewhere). */
  function forget(path: string): void {
    if (path === "") dirs = new Map();
    else for (const k of [...dirs.keys()]) if (k === path || k.startsWith(path + "/")) dirs.delete(k);
  }

  /** Runs `fn` on the file of `key`; a cached folder removed by another tab is looked up again once. */
  async function onFile<T>(key: string, create: boolean, fn: (file: FileSystemFileHandle, parent: FileSystemDirectoryHandle) => Promise<T>): Promise<T> {
    const [path, name] = split(key);
    for (let attempt = 0; ; attempt++) {
      try {
        const parent = await dir(path, create);
        const file = await parent.getFileHandle(name, { create });
        return await fn(file, parent);
      } catch (err) {
        if (attempt === 0 && isMissing(err) && dirs.has(path)) {
          forget(path);
          continue;
        }
        throw err;
      }
    }
  }

  /** The `File` of `key`, or null when missing. */
  async function fileOf(key: string): Promise<File | null> {
    try {
      return await onFile(key, false, (f) => f.getFile());
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /**
   * Reads bytes of `key` through `take`. A `File` is a snapshot: when the key is replaced (moved
   * over) between `getFile()` and the read, Chromium fails the read, so it is retried on the
   * new file; the reader sees the old bytes or the new ones.
   */
  async function readFile<T>(key: string, take: (f: File) => Promise<T>): Promise<T | null> {
    for (let attempt = 0; ; attempt++) {
      const f = await fileOf(key);
      if (!f) return null;
      try {
        return await take(f);
      } catch (err) {
        const name = errorName(err);
        if (attempt >= 20 || (name !== "NotReadableError" && name !== "NotFoundError")) throw err;
      }
    }
  }

  const wrap =
    <A extends unknown[], T>(op: string, fn: (key: string, ...args: A) => Promise<T>) =>
    async (key: string, ...args: A): Promise<T> => {
      assertValidKey(key);
      try {
        return await fn(key, ...args);
      } catch (err) {
        if (err instanceof StorageError) throw err;
        if (errorName(err) === "QuotaExceededError") {
          throw new StorageError(`OPFS quota exceeded during ${op} of "${key}": free space by deleting or exporting old runs`, { code: "QUOTA_EXCEEDED", cause: err });
        }
        throw storageError(op, key, err);
      }
    };

  /** A fresh temporary file beside `key`, and how to move it over `key` or drop it. */
  async function tempBeside(key: string): Promise<{ tmp: FileSystemFileHandle; commit(): Promise<void>; drop(): Promise<void> }> {
    const [path, name] = split(key);
    const parent = await dir(path, true);
    const tmpName = `${name}${TMP}${Date.now().toString(36)}-${(tmpCounter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const tmp = (await parent.getFileHandle(tmpName, { create: true })) as Movable;
    return {
      tmp,
      commit: () => whileLocked(() => tmp.move(parent, name)),
      drop: () => parent.removeEntry(tmpName).catch(() => undefined),
    };
  }

  /** Writes `data` to a temporary file beside `key`, then moves it over `key`. */
  async function replaceWith(key: string, data: Uint8Array): Promise<void> {
    const t = await tempBeside(key);
    try {
      await io.fill(t.tmp, data);
      await t.commit();
    } catch (err) {
      await t.drop();
      throw err;
    }
  }

  async function listInto(d: FileSystemDirectoryHandle, rel: string, out: string[]): Promise<void> {
    for await (const [name, h] of (d as Dir).entries()) {
      const child = rel === "" ? name : `${rel}/${name}`;
      if (h.kind === "directory") await listInto(h as FileSystemDirectoryHandle, child, out);
      else if (!name.includes(TMP) && !name.endsWith(".crswap")) out.push(child);
    }
  }

  return {
    name: "opfs",
    root,
    io: io.kind,
    capabilities: { streams: true, sharedWriters: locks.shared, persistent: true },

    read: wrap("read", (key) => readFile(key, async (f) => new Uint8Array(await f.arrayBuffer()))),

    readRange: wrap("read", (key, start: number, end?: number) =>
      readFile(key, async (f) => new Uint8Array(await f.slice(Math.max(0, start), Math.min(end ?? f.size, f.size)).arrayBuffer())),
    ),

    stat: wrap("stat", async (key): Promise<StorageStat | null> => {
      const f = await fileOf(key);
      return f ? { size: f.size, mtimeMs: f.lastModified } : null;
    }),

    write: wrap("write", (key, data: Uint8Array) => {
      const copy = data.slice(); // the caller may change its array while we wait our turn
      return queue.run(key, () => replaceWith(key, copy));
    }),

    append: wrap("append", (key, data: Uint8Array) => {
      const copy = data.slice();
      return queue.run(key, () => onFile(key, true, (file) => whileLocked(() => io.append(file, copy))));
    }),

    truncate: wrap("truncate", (key, size: number) =>
      queue.run(key, async () => {
        const f = await fileOf(key);
        if (!f || size >= f.size) return;
        await onFile(key, false, (file) => whileLocked(() => io.truncate(file, Math.max(0, size))));
      }),
    ),

    async list(prefix) {
      if (prefix !== "") assertValidKey(prefix);
      try {
        const out: string[] = [];
        let d: FileSystemDirectoryHandle;
        try {
          d = await dir(prefix, false);
        } catch (err) {
          if (errorName(err) === "TypeMismatchError") return [prefix]; // the prefix is a file
          if (isMissing(err)) return [];
          throw err;
        }
        await listInto(d, prefix, out);
        return out.sort();
      } catch (err) {
        throw storageError("list", prefix, err);
      }
    },

    delete: wrap("delete", (key) =>
      queue.run(key, async () => {
        const [path, name] = split(key);
        try {
          const parent = await dir(path, false);
          await whileLocked(() => parent.removeEntry(name));
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }),
    ),

    deletePrefix: wrap("deletePrefix", async (prefix) => {
      const [path, name] = split(prefix);
      try {
        const parent = await dir(path, false);
        await whileLocked(() => parent.removeEntry(name, { recursive: true }));
      } catch (err) {
        if (!isMissing(err)) throw err;
      } finally {
        forget(prefix);
      }
    }),

    readStream: wrap("read", async (key) => {
      const f = await fileOf(key);
      return f ? (f.stream() as ReadableStream<Uint8Array>) : null;
    }),

    writeStream: wrap("write", async (key) => {
      // Bytes go to a temporary file as they come; the move on close is the atomic replace.
      const t = await tempBeside(key);
      const ws = await t.tmp.createWritable();
      return new WritableStream<Uint8Array>({
        async write(chunk) {
          await ws.write(chunk.slice());
        },
        async close() {
          try {
            await ws.close();
            await queue.run(key, () => t.commit());
          } catch (err) {
            await t.drop();
            throw storageError("write", key, err);
          }
        },
        async abort() {
          await ws.abort().catch(() => undefined);
          await t.drop();
        },
      });
    }),

    lock(name, fn) {
      return locks.run(name, fn);
    },

    async close() {
      dirs = new Map();
    },
  };
}
