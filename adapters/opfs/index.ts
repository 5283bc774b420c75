/**
 * `opfsAdapter({ root })`: the `.dash` tree in the browser's origin-private file system, one
 * OPFS file per key under the folder `root`.
 *
 * Files are changed with sync access handles, which append in place, by an I/O worker the adapter
 * starts (io-worker.ts: ml-dash's module worker file, else one from a blob: URL): in windows,
 * where sync handles do not exist, and in workers, where it writes while the caller encodes the
 * next batch. Where no worker can start, a dedicated worker writes with sync handles itself and
 * a window with writable streams.
 * Whole-value replaces write a temporary file and move it over the key, so readers see the old
 * bytes or the new ones. Reads use `getFile()` in the caller's realm.
 */
import { assertValidKey, groupSync, isTempName, NamedMutex, originLocks, StorageError, storageError, tempName, type StorageAdapter, type StorageStat } from "../../src/storage/kit.ts";
import { fileOps, type FileOps } from "./file-ops.ts";
import { ioWorkerOps } from "./io-worker.ts";

/** How files are changed: the I/O worker, sync handles in this realm, or writable streams. */
export type OpfsIo = "worker" | "sync" | "writable";

/** Options of {@link opfsAdapter}. */
export interface OpfsAdapterOptions {
  /** Folder of the origin-private file system that holds the store (`a/b` nests). Default `.dash`. */
  readonly root?: string;
  /**
   * `auto` (default): the I/O worker, else sync handles in a dedicated worker, else writable
   * streams. The others force one (for tests and benchmarks).
   */
  readonly io?: "auto" | OpfsIo;
}

/** The OPFS adapter: a storage adapter plus what it was opened on. */
export interface OpfsAdapter extends StorageAdapter {
  readonly root: string;
  /** Resolves to how this adapter changes files (known once the I/O worker has started or failed). */
  ioMode(): Promise<OpfsIo>;
}

type Dir = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };

const errorName = (err: unknown): string | undefined => (err as { name?: string } | null)?.name;
const isMissing = (err: unknown): boolean => errorName(err) === "NotFoundError" || errorName(err) === "TypeMismatchError";

/** True in a dedicated worker of a browser with sync access handles. */
function syncHandlesHere(): boolean {
  const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
  return proto !== undefined && "createSyncAccessHandle" in proto;
}

let warnedWritable = false;

async function chooseIo(choice: "auto" | OpfsIo): Promise<{ io: OpfsIo; ops: FileOps }> {
  if (choice === "sync" || choice === "writable") return { io: choice, ops: fileOps(choice, 25) };
  const viaWorker = await ioWorkerOps();
  if (viaWorker) return { io: "worker", ops: viaWorker };
  if (choice === "worker") throw new StorageError("The OPFS I/O worker could not start here (no Worker, or a Content-Security-Policy that refuses both web-encoder-worker.js and blob: workers)", { code: "UNSUPPORTED" });
  const io = syncHandlesHere() ? "sync" : "writable";
  if (io === "writable" && !warnedWritable) {
    // Said once per realm: every append now costs the size of its file, and nothing else shows it.
    warnedWritable = true;
    console.warn(
      "[ml-dash] opfsAdapter: its I/O worker could not start, so in this window each append rewrites its file through createWritable and slows as " +
        "the file grows. With esbuild, copy node_modules/ml-dash/dist/web-encoder-worker.js next to your bundle; under a CSP, allow worker-src 'self'.",
    );
  }
  return { io, ops: fileOps(io, 25) };
}

/**
 * A storage adapter over the origin-private file system (browser windows and workers). Several
 * tabs and workers may write the same run: it takes Web Locks around each stream append.
 *
 * @example
 * ```ts
 * import { Experiment } from "ml-dash/core";
 * import { opfsAdapter } from "ml-dash/adapters/opfs";
 * const exp = new Experiment("alice/mnist/run-1", { storage: opfsAdapter() });
 * ```
 */
export function opfsAdapter(options: OpfsAdapterOptions = {}): OpfsAdapter {
  const root = options.root ?? ".dash";
  assertValidKey(root);
  const rootParts = root.split("/");
  const choice = options.io ?? "auto";
  let chosen: Promise<{ io: OpfsIo; ops: FileOps }> | undefined;
  const ops = (): Promise<FileOps> => (chosen ??= chooseIo(choice)).then((c) => c.ops);
  const locks = originLocks(`ml-dash:opfs:${root}`);
  const queue = new NamedMutex(); // per-key order of changes
  const touched = new Set<string>(); // keys changed since the last sync()
  /** Runs a change of `key` in its turn, and notes the key for the next `sync()` once it is done. */
  const change = (key: string, fn: (o: FileOps) => Promise<void>): Promise<void> =>
    queue.run(key, async () => {
      await fn(await ops());
      touched.add(key);
    });
  let dirs = new Map<string, FileSystemDirectoryHandle>(); // folders found, by path below root

  const pathOf = (key: string): string[] => [...rootParts, ...key.split("/")];
  const split = (key: string): [string, string] => {
    const slash = key.lastIndexOf("/");
    return slash < 0 ? ["", key] : [key.slice(0, slash), key.slice(slash + 1)];
  };

  /** The existing folder at `path` (relative to the store root); found ones are cached. */
  async function dir(path: string): Promise<FileSystemDirectoryHandle> {
    const cached = dirs.get(path);
    if (cached) return cached;
    let d = await navigator.storage.getDirectory();
    for (const p of [...rootParts, ...(path === "" ? [] : path.split("/"))]) d = await d.getDirectoryHandle(p);
    dirs.set(path, d);
    return d;
  }

  /** The `File` of `key`, or null when missing; a cached folder removed elsewhere is looked up again. */
  async function fileOf(key: string): Promise<File | null> {
    const [path, name] = split(key);
    for (let attempt = 0; ; attempt++) {
      try {
        return await (await (await dir(path)).getFileHandle(name)).getFile();
      } catch (err) {
        if (!isMissing(err)) throw err;
        if (attempt > 0 || !dirs.has(path)) return null;
        dirs = new Map();
      }
    }
  }

  /**
   * Reads `key` through `take`. A `File` is a snapshot: when the key is replaced between
   * `getFile()` and the read, Chromium fails the read, so it is retried on the new file.
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

  async function listInto(d: FileSystemDirectoryHandle, rel: string, out: string[]): Promise<void> {
    for await (const [name, h] of (d as Dir).entries()) {
      const child = rel === "" ? name : `${rel}/${name}`;
      if (h.kind === "directory") await listInto(h as FileSystemDirectoryHandle, child, out);
      else if (!isTempName(name) && !name.endsWith(".crswap")) out.push(child);
    }
  }

  return {
    name: "opfs",
    root,
    capabilities: { streams: true, sharedWriters: locks.shared, persistent: true },
    ioMode: () => (chosen ??= chooseIo(choice)).then((c) => c.io),

    read: wrap("read", (key) => readFile(key, async (f) => new Uint8Array(await f.arrayBuffer()))),

    readRange: wrap("read", (key, start: number, end?: number) =>
      readFile(key, async (f) => new Uint8Array(await f.slice(Math.max(0, start), Math.min(end ?? f.size, f.size)).arrayBuffer())),
    ),

    stat: wrap("stat", async (key): Promise<StorageStat | null> => {
      const f = await fileOf(key);
      return f ? { size: f.size, mtimeMs: f.lastModified } : null;
    }),

    // The copies are ours (the caller may change its array while we wait our turn), so the
    // I/O worker can take them without copying again.
    write: wrap("write", (key, data: Uint8Array) => {
      const copy = data.slice();
      return change(key, (o) => o.replace(pathOf(key), copy));
    }),

    append: wrap("append", (key, data: Uint8Array) => {
      const copy = data.slice();
      return change(key, (o) => o.append(pathOf(key), copy));
    }),

    // The parts are given to us (the caller never touches them again): no copy, and the I/O
    // worker gets their buffers transferred.
    appendParts: wrap("append", (key, parts: readonly Uint8Array[]) => change(key, (o) => o.appendParts(pathOf(key), [...parts]))),

    truncate: wrap("truncate", (key, size: number) =>
      queue.run(key, async () => {
        const f = await fileOf(key);
        if (f && size < f.size) await (await ops()).truncate(pathOf(key), Math.max(0, size));
      }),
    ),

    async list(prefix) {
      if (prefix !== "") assertValidKey(prefix);
      try {
        let d: FileSystemDirectoryHandle;
        try {
          d = await dir(prefix);
        } catch (err) {
          if (errorName(err) === "TypeMismatchError") return [prefix]; // the prefix is a file
          if (isMissing(err)) return [];
          throw err;
        }
        const out: string[] = [];
        await listInto(d, prefix, out);
        return out.sort();
      } catch (err) {
        throw storageError("list", prefix, err);
      }
    },

    delete: wrap("delete", (key) => queue.run(key, async () => (await ops()).remove(pathOf(key), false))),

    deletePrefix: wrap("deletePrefix", async (prefix) => {
      try {
        await (await ops()).remove(pathOf(prefix), true);
      } finally {
        for (const k of [...dirs.keys()]) if (k === prefix || k.startsWith(prefix + "/")) dirs.delete(k);
      }
    }),

    readStream: wrap("read", async (key) => {
      const f = await fileOf(key);
      return f ? (f.stream() as ReadableStream<Uint8Array>) : null;
    }),

    writeStream: wrap("write", async (key) => {
      // Bytes are appended to a temporary file as they come; the move on close is the atomic
      // replace. (With writable streams each append would copy the file: one stream instead.)
      const { io, ops: o } = await (chosen ??= chooseIo(choice));
      const path = pathOf(key);
      const tmp = [...path.slice(0, -1), tempName(path[path.length - 1] as string)];
      let sink: FileSystemWritableFileStream | undefined;
      if (io === "writable") {
        await o.append(tmp, new Uint8Array(0)); // creates the file and its folders
        sink = await (await (await dir(split(key)[0])).getFileHandle(tmp[tmp.length - 1] as string)).createWritable();
      }
      return new WritableStream<Uint8Array>({
        async write(chunk) {
          if (sink) await sink.write(chunk.slice());
          else await o.append(tmp, chunk.slice());
        },
        async close() {
          try {
            await sink?.close();
            await change(key, () => o.move(tmp, path));
          } catch (err) {
            await o.remove(tmp, false).catch(() => undefined);
            throw storageError("write", key, err);
          }
        },
        async abort() {
          await sink?.abort().catch(() => undefined);
          await o.remove(tmp, false).catch(() => undefined);
        },
      });
    }),

    lock(name, fn) {
      return locks.run(name, fn);
    },

    // Appends and replaces reach the file at once (a tab or the browser may crash, the data
    // stays); this makes them durable against power loss too, one flush per file changed.
    sync: groupSync(async () => {
      const keys = [...touched];
      touched.clear();
      if (keys.length === 0) return;
      try {
        const o = await ops();
        // After the changes already queued for each key (they are noted again when they end).
        await Promise.all(keys.map((k) => queue.run(k, async () => undefined)));
        await o.flush(keys.map(pathOf));
      } catch (err) {
        for (const k of keys) touched.add(k);
        throw storageError("sync", keys[0] as string, err);
      }
    }),

    async close() {
      dirs = new Map();
      // Handles the I/O worker keeps open for a moment are closed now, so the folder can go.
      if (chosen) await (await chosen).ops.release(rootParts);
    },
  };
}
