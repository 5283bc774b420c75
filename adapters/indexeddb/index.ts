/**
 * `indexedDBAdapter({ dbName })`: the `.dash` tree in IndexedDB, for browser tabs and workers.
 *
 * Schema: a small head per key (`heads`: generation, size, last chunk) and the bytes in chunks
 * keyed `[key, generation, byte offset]` (`chunks`). An append adds a chunk (or tops up a small
 * last chunk) in one transaction: it never rewrites the value. A replace writes a new
 * generation and switches the head in the same transaction, so readers see the old bytes or the
 * new ones. `readRange` finds the chunk holding its first byte with one cursor step.
 */
import type { IDBPObjectStore, IDBPTransaction } from "idb";
import { StorageError, storageError } from "../../src/errors.ts";
import { originLocks } from "../../src/internal/web-locks.ts";
import { assertValidKey, type StorageAdapter, type StorageStat } from "../../src/storage/contract.ts";
import { Connection, type DashDB, type Head } from "./connection.ts";

/** Options of {@link indexedDBAdapter}. */
export interface IndexedDBAdapterOptions {
  /** Name of the IndexedDB database. Default `"ml-dash"`. */
  readonly dbName?: string;
}

type Stores = ("heads" | "chunks")[];
type Tx<M extends IDBTransactionMode> = IDBPTransaction<DashDB, Stores, M>;
type ChunkStore<M extends IDBTransactionMode> = IDBPObjectStore<DashDB, Stores, "chunks", M>;

/** Largest chunk; values and appends above it are split. */
const CHUNK = 1 << 20;
/** A last chunk below this size is topped up by the next append instead of adding a chunk. */
const SMALL = 64 * 1024;
const BOTH: Stores = ["heads", "chunks"];
const EMPTY = new Uint8Array(0);

/** All chunks of one generation of `key`. */
const genRange = (key: string, gen: number): IDBKeyRange => IDBKeyRange.bound([key, gen, 0], [key, gen, Infinity]);
/** Every chunk of `key`, whatever the generation (`[]` sorts after every number). */
const keyChunks = (key: string): IDBKeyRange => IDBKeyRange.bound([key], [key, []]);
/** Keys strictly below `prefix/` (`0` is the character after `/`). */
const below = (prefix: string): IDBKeyRange => IDBKeyRange.bound(`${prefix}/`, `${prefix}0`, false, true);

/** A random generation number (unique across tabs without coordination). */
function newGen(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2)) as unknown as [number, number];
  return (hi & 0x1fffff) * 0x1_0000_0000 + lo;
}

/** A view that owns exactly its bytes, so structured clone stores nothing more. */
function tight(v: Uint8Array): Uint8Array {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : v.slice();
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: unknown } | null)?.name as string | undefined;
}

/** Puts `data` as chunks of generation `head.gen` from `head.size` on, updating `head`. */
function putChunks(chunks: ChunkStore<"readwrite">, key: string, head: Head, data: Uint8Array, pending: Promise<unknown>[]): void {
  for (let at = 0; at < data.length; at += CHUNK) {
    const piece = data.subarray(at, at + CHUNK);
    pending.push(chunks.put(tight(piece), [key, head.gen, head.size]));
    head.lastOffset = head.size;
    head.lastLength = piece.length;
    head.size += piece.length;
  }
}

/** Bytes `[from, to)` of a value, read inside one transaction. */
async function readSpan(chunks: ChunkStore<IDBTransactionMode>, key: string, head: Head, from: number, to: number): Promise<Uint8Array> {
  const start = Math.max(0, from);
  const stop = Math.min(to, head.size);
  if (stop <= start) return new Uint8Array(0);
  let first = 0;
  if (start > 0) {
    const cursor = await chunks.openCursor(IDBKeyRange.bound([key, head.gen, 0], [key, head.gen, start]), "prev");
    first = cursor ? cursor.key[2] : 0;
  }
  const parts = await chunks.getAll(IDBKeyRange.bound([key, head.gen, first], [key, head.gen, stop], false, true));
  if (parts.length === 1 && first === start && parts[0]!.length === stop - start) return parts[0]!;
  const out = new Uint8Array(stop - start);
  let pos = first;
  let filled = 0;
  for (const p of parts) {
    const a = Math.max(start - pos, 0);
    const b = Math.min(p.length, stop - pos);
    if (b > a) {
      out.set(p.subarray(a, b), filled);
      filled += b - a;
    }
    pos += p.length;
  }
  return filled === out.length ? out : out.subarray(0, filled);
}

/**
 * A storage adapter over IndexedDB (browser windows and workers). Several tabs and workers may
 * write the same run: it takes Web Locks (`navigator.locks`) around each stream append.
 *
 * @example
 * ```ts
 * import { Experiment } from "ml-dash/core";
 * import { indexedDBAdapter } from "ml-dash/adapters/indexeddb";
 * const exp = new Experiment("alice/mnist/run-1", { storage: indexedDBAdapter() });
 * ```
 */
export function indexedDBAdapter(options: IndexedDBAdapterOptions = {}): StorageAdapter & { readonly dbName: string } {
  const dbName = options.dbName ?? "ml-dash";
  const conn = new Connection(dbName);
  const locks = originLocks(`ml-dash:idb:${dbName}`);
  let lastWritten: string | undefined;

  function fail(op: string, key: string, err: unknown): StorageError {
    if (err instanceof StorageError) return err;
    if (errorName(err) === "QuotaExceededError") {
      return new StorageError(
        `IndexedDB quota exceeded during ${op} of "${key}" (database "${dbName}"): free space by deleting or exporting old runs, or ask for persistent storage`,
        { code: "QUOTA_EXCEEDED", cause: err },
      );
    }
    return storageError(op, key, err);
  }

  /** Runs `body` in one transaction; reopens once when the connection was closed under us. */
  async function run<T, M extends IDBTransactionMode>(
    op: string,
    key: string,
    stores: Stores,
    mode: M,
    body: (tx: Tx<M>) => Promise<T>,
    durability: "default" | "strict" = "default",
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let tx: Tx<M>;
      const db = await conn.get().catch((err: unknown) => {
        throw fail("open", dbName, err);
      });
      try {
        tx = db.transaction(stores, mode, { durability });
      } catch (err) {
        // The connection closed for a versionchange between our get() and now: reopen once.
        if (attempt === 0 && errorName(err) === "InvalidStateError") {
          conn.reset(db);
          continue;
        }
        throw fail(op, key, err);
      }
      tx.done.catch(() => undefined); // observed below; never an unhandled rejection
      try {
        const result = await body(tx);
        await tx.done;
        return result;
      } catch (err) {
        if (err instanceof DOMException) {
          // A failed request aborts its transaction; the request may report AbortError while
          // the transaction's error names the cause (QuotaExceededError), so wait for it.
          const txError = await tx.done.then(
            () => undefined,
            (e: unknown) => e,
          );
          throw fail(op, key, tx.error ?? txError ?? err);
        }
        try {
          tx.abort(); // our own error: nothing of this transaction may be kept
        } catch {
          // already finished
        }
        throw fail(op, key, err);
      }
    }
  }

  const readRange = (key: string, start: number, end?: number): Promise<Uint8Array | null> =>
    run("read", key, BOTH, "readonly", async (tx) => {
      const head = await tx.objectStore("heads").get(key);
      return head ? readSpan(tx.objectStore("chunks"), key, head, start, end ?? head.size) : null;
    });

  const getHead = (key: string): Promise<Head | undefined> => run("stat", key, ["heads"], "readonly", (tx) => tx.objectStore("heads").get(key));

  async function replace(op: string, key: string, gen: number, size: number, last: Pick<Head, "lastOffset" | "lastLength">): Promise<void> {
    await run(op, key, BOTH, "readwrite", async (tx) => {
      const heads = tx.objectStore("heads");
      const old = await heads.get(key);
      const pending: Promise<unknown>[] = [heads.put({ gen, size, mtimeMs: Date.now(), ...last }, key)];
      if (old && old.gen !== gen) pending.push(tx.objectStore("chunks").delete(genRange(key, old.gen)));
      await Promise.all(pending);
    });
  }

  return {
    name: "indexeddb",
    dbName,
    capabilities: { streams: true, sharedWriters: locks.shared, persistent: true },

    async read(key) {
      assertValidKey(key);
      return readRange(key, 0);
    },

    async readRange(key, start, end) {
      assertValidKey(key);
      return readRange(key, start, end);
    },

    async stat(key): Promise<StorageStat | null> {
      assertValidKey(key);
      const head = await getHead(key);
      return head ? { size: head.size, mtimeMs: head.mtimeMs } : null;
    },

    async write(key, data) {
      assertValidKey(key);
      lastWritten = key;
      await run("write", key, BOTH, "readwrite", async (tx) => {
        const heads = tx.objectStore("heads");
        const chunks = tx.objectStore("chunks");
        const old = await heads.get(key);
        const head: Head = { gen: newGen(), size: 0, mtimeMs: Date.now(), lastOffset: 0, lastLength: 0 };
        const pending: Promise<unknown>[] = [];
        putChunks(chunks, key, head, data, pending);
        pending.push(heads.put(head, key));
        if (old) pending.push(chunks.delete(genRange(key, old.gen)));
        await Promise.all(pending);
      });
    },

    async append(key, data) {
      assertValidKey(key);
      lastWritten = key;
      await run("append", key, BOTH, "readwrite", async (tx) => {
        const heads = tx.objectStore("heads");
        const chunks = tx.objectStore("chunks");
        const head = (await heads.get(key)) ?? { gen: newGen(), size: 0, mtimeMs: 0, lastOffset: 0, lastLength: 0 };
        const pending: Promise<unknown>[] = [];
        let rest = data;
        if (head.size > 0 && head.lastLength < SMALL && head.lastLength + data.length <= CHUNK) {
          // Top up a small last chunk so many small appends do not leave many tiny chunks.
          const last = await chunks.get([key, head.gen, head.lastOffset]);
          if (last && last.length === head.lastLength) {
            const merged = new Uint8Array(last.length + data.length);
            merged.set(last);
            merged.set(data, last.length);
            pending.push(chunks.put(merged, [key, head.gen, head.lastOffset]));
            head.lastLength = merged.length;
            head.size += data.length;
            rest = EMPTY;
          }
        }
        putChunks(chunks, key, head, rest, pending);
        head.mtimeMs = Date.now();
        pending.push(heads.put(head, key));
        await Promise.all(pending);
      });
    },

    async truncate(key, size) {
      assertValidKey(key);
      await run("truncate", key, BOTH, "readwrite", async (tx) => {
        const heads = tx.objectStore("heads");
        const chunks = tx.objectStore("chunks");
        const head = await heads.get(key);
        if (!head || size >= head.size) return;
        const keep = Math.max(0, size);
        const pending: Promise<unknown>[] = [];
        head.lastOffset = 0;
        head.lastLength = 0;
        if (keep > 0) {
          const cursor = await chunks.openCursor(IDBKeyRange.bound([key, head.gen, 0], [key, head.gen, keep], false, true), "prev");
          if (cursor) {
            const off = cursor.key[2];
            const cut = keep - off;
            if (cut < cursor.value.length) pending.push(cursor.update(cursor.value.slice(0, cut)));
            head.lastOffset = off;
            head.lastLength = cut;
          }
        }
        pending.push(chunks.delete(IDBKeyRange.bound([key, head.gen, keep], [key, head.gen, Infinity])));
        head.size = keep;
        head.mtimeMs = Date.now();
        pending.push(heads.put(head, key));
        await Promise.all(pending);
      });
    },

    async list(prefix) {
      if (prefix !== "") assertValidKey(prefix);
      return run("list", prefix, ["heads"], "readonly", async (tx) => {
        const heads = tx.objectStore("heads");
        if (prefix === "") return heads.getAllKeys();
        const [self, children] = await Promise.all([heads.getKey(prefix), heads.getAllKeys(below(prefix))]);
        return self === undefined ? children : [prefix, ...children];
      });
    },

    async delete(key) {
      assertValidKey(key);
      await run("delete", key, BOTH, "readwrite", (tx) =>
        Promise.all([tx.objectStore("heads").delete(key), tx.objectStore("chunks").delete(keyChunks(key))]),
      );
    },

    async deletePrefix(prefix) {
      assertValidKey(prefix);
      await run("deletePrefix", prefix, BOTH, "readwrite", (tx) => {
        const heads = tx.objectStore("heads");
        const chunks = tx.objectStore("chunks");
        return Promise.all([
          heads.delete(prefix),
          heads.delete(below(prefix)),
          chunks.delete(keyChunks(prefix)),
          chunks.delete(IDBKeyRange.bound([`${prefix}/`], [`${prefix}0`], false, true)),
        ]);
      });
    },

    async readStream(key) {
      assertValidKey(key);
      const head = await getHead(key);
      if (!head) return null;
      const { gen, size } = head;
      let pos = 0;
      return new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          if (pos >= size) return controller.close();
          const part = await run("read", key, BOTH, "readonly", async (tx) => {
            const now = await tx.objectStore("heads").get(key);
            if (!now || now.gen !== gen) {
              throw new StorageError(`Storage read failed for "${key}": it was replaced while being streamed; read it again`, { code: "CHANGED" });
            }
            return readSpan(tx.objectStore("chunks"), key, now, pos, Math.min(size, pos + CHUNK));
          });
          if (part.length === 0) return controller.close(); // truncated meanwhile
          pos += part.length;
          controller.enqueue(part);
        },
      });
    },

    async writeStream(key) {
      assertValidKey(key);
      // Chunks of a new generation are stored as they come (no whole-value buffering); the head
      // switches to them in one transaction on close, which is what makes the replace atomic.
      const head: Head = { gen: newGen(), size: 0, mtimeMs: 0, lastOffset: 0, lastLength: 0 };
      let staged: Uint8Array[] = [];
      let stagedBytes = 0;
      const flushStaged = async (): Promise<void> => {
        if (stagedBytes === 0) return;
        const data = staged.length === 1 ? staged[0]! : concat(staged, stagedBytes);
        staged = [];
        stagedBytes = 0;
        await run("write", key, ["chunks"], "readwrite", async (tx) => {
          const pending: Promise<unknown>[] = [];
          putChunks(tx.objectStore("chunks"), key, head, data, pending);
          await Promise.all(pending);
        });
      };
      const discard = (): Promise<unknown> =>
        run("write", key, ["chunks"], "readwrite", (tx) => tx.objectStore("chunks").delete(genRange(key, head.gen))).catch(() => undefined);
      return new WritableStream<Uint8Array>({
        async write(chunk) {
          staged.push(chunk.slice());
          stagedBytes += chunk.length;
          if (stagedBytes >= CHUNK) await flushStaged();
        },
        async close() {
          try {
            await flushStaged();
            lastWritten = key;
            await replace("write", key, head.gen, head.size, head);
          } catch (err) {
            await discard();
            throw err;
          }
        },
        async abort() {
          await discard();
        },
      });
    },

    lock(name, fn) {
      return locks.run(name, fn);
    },

    async sync() {
      // A strict-durability transaction flushes the database log, and every write before it.
      const key = lastWritten;
      if (key === undefined) return;
      lastWritten = undefined;
      await run(
        "sync",
        key,
        ["heads"],
        "readwrite",
        async (tx) => {
          const heads = tx.objectStore("heads");
          const head = await heads.get(key);
          if (head) await heads.put(head, key);
        },
        "strict",
      );
    },

    async close() {
      conn.close();
    },
  };
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
