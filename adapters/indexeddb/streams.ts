/** `readStream` / `writeStream` of the IndexedDB adapter: large values 1 MiB at a time. */
import { concatBytes, StorageError } from "../../src/storage/kit.ts";
import { CHUNK, emptyHead, genRange, putChunks, readSpan, type Stores } from "./chunks.ts";
import type { Head } from "./connection.ts";

/** What the streams need from their adapter. */
export interface StreamContext {
  /** Runs `body` in one transaction over both stores, mapping errors to `StorageError`. */
  run<T, M extends IDBTransactionMode>(op: string, key: string, mode: M, body: (s: Stores<M>) => Promise<T>): Promise<T>;
  headOf(s: Stores, key: string): Promise<Head | undefined>;
  /** Points `key` at `head` and drops the old generation's chunks. */
  replaceHead(s: Stores<"readwrite">, key: string, head: Head, old: Head | undefined, pending: Promise<unknown>[]): Promise<unknown>;
  /** Notes a write, for the next `sync()`. */
  written(key: string): void;
}

/** Streams the value of `key` (as it was when the stream opened), 1 MiB per transaction. */
export async function readStream(ctx: StreamContext, key: string): Promise<ReadableStream<Uint8Array> | null> {
  const head = await ctx.run("read", key, "readonly", (s) => ctx.headOf(s, key));
  if (!head) return null;
  let pos = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pos >= head.size) return controller.close();
      const part = await ctx.run("read", key, "readonly", async (s) => {
        const now = await ctx.headOf(s, key);
        if (now?.gen !== head.gen) throw new StorageError(`"${key}" was replaced while being read; read it again`, { code: "CHANGED" });
        return readSpan(s.chunks, key, now, pos, Math.min(head.size, pos + CHUNK));
      });
      if (part.length === 0) return controller.close(); // truncated meanwhile
      pos += part.length;
      controller.enqueue(part);
    },
  });
}

/**
 * A sink that stores chunks of a new generation as they come (no whole-value buffering); the
 * head switches to them in one transaction on close, which is what makes the replace atomic.
 */
export async function writeStream(ctx: StreamContext, key: string): Promise<WritableStream<Uint8Array>> {
  const head = emptyHead();
  let staged: Uint8Array[] = [];
  let stagedBytes = 0;
  const flushStaged = async (): Promise<void> => {
    if (stagedBytes === 0) return;
    const data = concatBytes(staged);
    staged = [];
    stagedBytes = 0;
    await ctx.run("write", key, "readwrite", async (s) => {
      const pending: Promise<unknown>[] = [];
      putChunks(s.chunks, key, head, data, pending);
      await Promise.all(pending);
    });
  };
  const discard = async (): Promise<void> => {
    await ctx.run("write", key, "readwrite", (s) => s.chunks.delete(genRange(key, head.gen))).catch(() => undefined);
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      staged.push(chunk.slice());
      stagedBytes += chunk.length;
      if (stagedBytes >= CHUNK) await flushStaged();
    },
    async close() {
      try {
        await flushStaged();
        ctx.written(key);
        head.mtimeMs = Date.now();
        await ctx.run("write", key, "readwrite", async (s) => ctx.replaceHead(s, key, head, await ctx.headOf(s, key), []));
      } catch (err) {
        await discard();
        throw err;
      }
    },
    abort: discard,
  });
}
