/**
 * The IndexedDB store behind `indexedDBAdapter` (see index.ts), loaded with its first call.
 *
 * Schema: a small head per key (`heads`: generation, size, last chunk) and the bytes in chunks
 * keyed `[key, generation, byte offset]` (`chunks`). An append adds a chunk (or tops up a small
 * last chunk) in one transaction: it never rewrites the value. A replace writes a new
 * generation and switches the head in the same transaction, so readers see the old bytes or the
 * new ones. `readRange` finds the chunk holding its first byte with one cursor step.
 */
import type { IDBPTransaction } from "idb";
import { assertValidKey, concatBytes, groupSync, StorageError, storageError, type StorageAdapter, type StorageStat } from "../../src/storage/kit.ts";
import { CHUNK, EMPTY, PART, SMALL, below, chunkRange, emptyHead, errorName, genRange, keyChunks, owns, putChunk, putChunks, readSpan, type Stores } from "./chunks.ts";
import { Connection, STORES, type DashDB, type Head } from "./connection.ts";
import type { StreamContext } from "./streams.ts";

/** Streams serve files and archives: their code loads with the first stream. */
const streamCode = (): Promise<typeof import("./streams.ts")> => import("./streams.ts");

/** What the store does: every method of the adapter but its name, capabilities and locks. */
export type IndexedDBStore = Required<Omit<StorageAdapter, "name" | "capabilities" | "lock" | "appendSync" | "lease">>;

/** The store of database `dbName`; it opens the database on its first call. */
export function indexedDBStore(dbName: string): IndexedDBStore {
  const conn = new Connection(dbName);
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

  /**
   * Checks `key`, then runs `body` in one transaction over both stores; reopens once when the
   * connection was closed under us.
   */
  async function run<T, M extends IDBTransactionMode>(
    op: string,
    key: string,
    mode: M,
    body: (s: Stores<M>) => Promise<T>,
    durability: "default" | "strict" = "default",
  ): Promise<T> {
    assertValidKey(key, op === "list");
    for (let attempt = 0; ; attempt++) {
      const db = await conn.get().catch((err: unknown) => {
        throw fail("open", dbName, err);
      });
      let tx: IDBPTransaction<DashDB, typeof STORES, M>;
      try {
        tx = db.transaction(STORES, mode, { durability });
      } catch (err) {
        // The connection closed for a versionchange between get() and now: reopen once.
        if (attempt === 0 && errorName(err) === "InvalidStateError") {
          conn.reset(db);
          continue;
        }
        throw fail(op, key, err);
      }
      const committed = tx.done;
      committed.catch(() => undefined); // observed below; never an unhandled rejection
      try {
        const result = await body({ heads: tx.objectStore("heads"), chunks: tx.objectStore("chunks") });
        await committed;
        return result;
      } catch (err) {
        if (err instanceof DOMException) {
          // A failed request aborts its transaction; the request may report AbortError while
          // the transaction's error names the cause (QuotaExceededError), so wait for it.
          const txError = await committed.then(
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

  const headOf = (s: Stores, key: string): Promise<Head | undefined> => s.heads.get(key);

  const readRange = (key: string, start: number, end?: number): Promise<Uint8Array | null> =>
    run("read", key, "readonly", async (s) => {
      const head = await headOf(s, key);
      return head ? readSpan(s.chunks, key, head, start, end ?? head.size) : null;
    });

  /** Replaces the value of `key` by `head` (whose chunks are stored), dropping the old generation. */
  function replaceHead(s: Stores<"readwrite">, key: string, head: Head, old: Head | undefined, pending: Promise<unknown>[]): Promise<unknown> {
    pending.push(s.heads.put(head, key));
    if (old && old.gen !== head.gen) pending.push(s.chunks.delete(genRange(key, old.gen)));
    return Promise.all(pending);
  }

  /** `append` (one part, the caller's) and `appendParts` (`owned`): one transaction. */
  function appendParts(key: string, parts: readonly Uint8Array[], owned: boolean): Promise<void> {
    lastWritten = key;
    return run("append", key, "readwrite", async (s) => {
      const head = (await headOf(s, key)) ?? emptyHead();
      const pending: Promise<unknown>[] = [];
      let from = 0;
      const first = parts[0] ?? EMPTY;
      if (head.size > 0 && head.lastLength < SMALL && first.length > 0 && head.lastLength + first.length <= CHUNK) {
        // Top up a small last chunk so many small appends do not leave many tiny chunks.
        const at: [string, number, number] = [key, head.gen, head.lastOffset];
        const last = await s.chunks.get(at);
        if (last?.length === head.lastLength) {
          const merged = concatBytes([last, first]);
          pending.push(s.chunks.put(merged, at));
          head.lastLength = merged.length;
          head.size += first.length;
          from = 1;
        }
      }
      for (let i = from; i < parts.length; i++) {
        // One part per task: each put() clones its value on the calling thread (~2 ms per MB
        // in a window), so a group of parts issued at once was one long task (~100 ms for 8 MB)
        // during which the page drew no frame. The next put is made when the last one is done,
        // inside its success callback, where the transaction is still active.
        if (i > from) await pending[pending.length - 1];
        const part = parts[i] as Uint8Array;
        if (owned && part.length > 0 && part.length <= PART && owns(part)) putChunk(s.chunks, key, head, part, pending);
        else putChunks(s.chunks, key, head, part, pending);
      }
      head.mtimeMs = Date.now();
      pending.push(s.heads.put(head, key));
      await Promise.all(pending);
    });
  }

  const streams: StreamContext = {
    run,
    headOf,
    replaceHead,
    written: (key) => {
      lastWritten = key;
    },
  };

  return {
    read: (key) => readRange(key, 0),
    readRange,

    async stat(key): Promise<StorageStat | null> {
      const head = await run("stat", key, "readonly", (s) => headOf(s, key));
      return head ? { size: head.size, mtimeMs: head.mtimeMs } : null;
    },

    async write(key, data) {
      lastWritten = key;
      await run("write", key, "readwrite", async (s) => {
        const old = await headOf(s, key);
        const head = emptyHead();
        const pending: Promise<unknown>[] = [];
        putChunks(s.chunks, key, head, data, pending);
        await replaceHead(s, key, head, old, pending);
      });
    },

    append: (key, data) => appendParts(key, [data], false),

    // The parts are ours: each one up to PART long that owns its buffer is stored as its own
    // chunk, without the concatenation and the 1 MiB slices an append of their sum costs.
    appendParts: (key, parts) => appendParts(key, parts, true),

    async truncate(key, size) {
      await run("truncate", key, "readwrite", async (s) => {
        const head = await headOf(s, key);
        if (!head || size >= head.size) return;
        const keep = Math.max(0, size);
        const pending: Promise<unknown>[] = [];
        head.lastOffset = head.lastLength = 0;
        if (keep > 0) {
          const cursor = await s.chunks.openCursor(chunkRange(key, head.gen, 0, keep, true), "prev");
          if (cursor) {
            const off = cursor.key[2];
            const value = cursor.value;
            if (keep - off < value.length) pending.push(cursor.update(value.slice(0, keep - off)));
            head.lastOffset = off;
            head.lastLength = keep - off;
          }
        }
        pending.push(s.chunks.delete(chunkRange(key, head.gen, keep, Infinity)));
        head.size = keep;
        head.mtimeMs = Date.now();
        pending.push(s.heads.put(head, key));
        await Promise.all(pending);
      });
    },

    async list(prefix) {
      return run("list", prefix, "readonly", async (s) => {
        if (prefix === "") return s.heads.getAllKeys();
        const [self, children] = await Promise.all([s.heads.getKey(prefix), s.heads.getAllKeys(below(prefix))]);
        return self === undefined ? children : [prefix, ...children];
      });
    },

    async delete(key) {
      await run("delete", key, "readwrite", (s) => Promise.all([s.heads.delete(key), s.chunks.delete(keyChunks(key))]));
    },

    async deletePrefix(prefix) {
      await run("deletePrefix", prefix, "readwrite", (s) =>
        Promise.all([
          s.heads.delete(prefix),
          s.heads.delete(below(prefix)),
          s.chunks.delete(keyChunks(prefix)),
          s.chunks.delete(IDBKeyRange.bound([`${prefix}/`], [`${prefix}0`], false, true)),
        ]),
      );
    },

    readStream: async (key) => (await streamCode()).readStream(streams, key),

    async writeStream(key) {
      assertValidKey(key);
      return (await streamCode()).writeStream(streams, key);
    },

    sync: groupSync(async () => {
      // A strict-durability transaction flushes the database log, and every write before it.
      const key = lastWritten;
      if (key === undefined) return;
      lastWritten = undefined;
      try {
        await run(
          "sync",
          key,
          "readwrite",
          async (s) => {
            const head = await headOf(s, key);
            if (head) await s.heads.put(head, key);
          },
          "strict",
        );
      } catch (err) {
        lastWritten ??= key; // the next sync() tries again
        throw err;
      }
    }),

    async close() {
      conn.close();
    },
  };
}
