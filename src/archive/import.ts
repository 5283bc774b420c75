/**
 * Importing a tar archive of a `.dash` folder into any store, streamed: each file is written
 * through the adapter's `writeStream` as its bytes arrive (or written whole where an adapter
 * has no streams). Paths are checked as storage keys, so an archive cannot write outside the
 * store.
 */
import { StorageError } from "../errors.ts";
import { assertValidKey, type StorageAdapter } from "../storage/contract.ts";
import { BLOCK, paxPath, parseHeader } from "./tar.ts";

/** Options of {@link importArchive}. */
export interface ImportOptions {
  /** Folder of the archive that holds the keys; it is stripped. Default `.dash` (when present). */
  readonly root?: string;
}

/** What an archive can be read from. */
export type ArchiveSource = ReadableStream<Uint8Array> | Blob | ArrayBuffer | Uint8Array;

/** Reads exact byte counts from a stream. */
class ByteReader {
  private buf: Uint8Array = new Uint8Array(0);
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }

  /** Up to `max` bytes (fewer only at the end of the stream; empty at the end). */
  async read(max: number): Promise<Uint8Array> {
    while (this.buf.length === 0) {
      const { done, value } = await this.reader.read();
      if (done) return this.buf;
      this.buf = value;
    }
    const out = this.buf.subarray(0, max);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  /** Exactly `n` bytes; throws at a premature end. */
  async exact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const part = await this.read(n - off);
      if (part.length === 0) throw new StorageError("The archive ends in the middle of an entry", { code: "BAD_ARCHIVE" });
      out.set(part, off);
      off += part.length;
    }
    return out;
  }

  /** Passes the next `n` bytes to `sink` in pieces. */
  async pipe(n: number, sink: (piece: Uint8Array) => Promise<void>): Promise<void> {
    let left = n;
    while (left > 0) {
      const part = await this.read(Math.min(left, 1 << 20));
      if (part.length === 0) throw new StorageError("The archive ends in the middle of an entry", { code: "BAD_ARCHIVE" });
      await sink(part.slice());
      left -= part.length;
    }
  }

  async skip(n: number): Promise<void> {
    await this.pipe(n, async () => undefined);
  }

  cancel(): void {
    void this.reader.cancel().catch(() => undefined);
  }
}

function toStream(source: ArchiveSource): ReadableStream<Uint8Array> {
  if (source instanceof ReadableStream) return source;
  if (source instanceof Blob) return source.stream() as ReadableStream<Uint8Array>;
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

function keyOf(path: string, root: string): string | undefined {
  const clean = path.replace(/^\.\//, "").replace(/\/+$/, "");
  if (root !== "" && (clean === root || clean.startsWith(`${root}/`))) return clean.slice(root.length + 1) || undefined;
  return clean || undefined;
}

async function writeEntry(storage: StorageAdapter, key: string, size: number, reader: ByteReader): Promise<void> {
  if (!storage.writeStream) {
    await storage.write(key, await reader.exact(size));
    return;
  }
  const writer = (await storage.writeStream(key)).getWriter();
  try {
    await reader.pipe(size, (piece) => writer.write(piece));
    await writer.close();
  } catch (err) {
    await writer.abort(err).catch(() => undefined);
    throw err;
  }
}

/**
 * Writes every file of a `.dash` tar archive into `storage` (replacing keys that exist) and
 * returns the keys written, in archive order. Folders, links and other entry types are skipped;
 * a path that is not a valid storage key (`..`, absolute) is refused with a `StorageError`.
 *
 * @example
 * ```ts
 * const keys = await importArchive(opfsAdapter(), await fetch("/runs/run-1.tar").then((r) => r.body!));
 * ```
 */
export async function importArchive(storage: StorageAdapter, source: ArchiveSource, options: ImportOptions = {}): Promise<string[]> {
  const root = (options.root ?? ".dash").replace(/\/+$/, "");
  const reader = new ByteReader(toStream(source));
  const keys: string[] = [];
  let longPath: string | undefined;
  try {
    for (;;) {
      const block = await reader.read(BLOCK);
      if (block.length === 0) break; // no end marker: tolerated
      const head = parseHeader(block.length === BLOCK ? block : await completeBlock(block, reader));
      if (!head) break;
      const body = head.size + ((BLOCK - (head.size % BLOCK)) % BLOCK);
      if (head.type === "x" || head.type === "L") {
        const data = await reader.exact(body);
        longPath = head.type === "x" ? paxPath(data.subarray(0, head.size)) : new TextDecoder().decode(data.subarray(0, head.size)).replace(/\0+$/, "");
        continue;
      }
      const path = longPath ?? head.path;
      longPath = undefined;
      const key = head.type === "0" || head.type === "7" ? keyOf(path, root) : undefined;
      if (key === undefined) {
        await reader.skip(body);
        continue;
      }
      assertValidKey(key);
      await writeEntry(storage, key, head.size, reader);
      await reader.skip(body - head.size);
      keys.push(key);
    }
  } finally {
    reader.cancel();
  }
  return keys;
}

async function completeBlock(start: Uint8Array, reader: ByteReader): Promise<Uint8Array> {
  const block = new Uint8Array(BLOCK);
  block.set(start);
  block.set(await reader.exact(BLOCK - start.length), start.length);
  return block;
}
