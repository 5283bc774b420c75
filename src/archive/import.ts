/**
 * Importing a tar archive of a `.dash` folder into any store, streamed: each file is written
 * through the adapter's `writeStream` as its bytes arrive (or written whole where an adapter
 * has no streams). The tar format itself (ustar, pax and GNU long names, pax and base-256
 * sizes, checksums) is read by modern-tar's Web-Streams decoder, in strict mode, so a damaged
 * or hostile header is an error rather than a guess; paths are then checked here as storage
 * keys, so an archive cannot write outside the store.
 */
import { createTarDecoder, type ParsedTarEntry } from "modern-tar";
import { StorageError } from "../errors.ts";
import { assertValidKey, type StorageAdapter } from "../storage/contract.ts";

/** Options of {@link importArchive}. */
export interface ImportOptions {
  /** Folder of the archive that holds the keys; it is stripped. Default `.dash` (when present). */
  readonly root?: string;
}

/** What an archive can be read from. */
export type ArchiveSource = ReadableStream<Uint8Array> | Blob | ArrayBuffer | Uint8Array;

/** A damaged or hostile archive, as the SDK's error (the decoder's reason kept in the message). */
function badArchive(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new StorageError(`Not a valid tar archive: ${why}`, { code: "BAD_ARCHIVE", cause: err });
}

/** The entry's bytes in pieces; a read that fails (a truncated archive) is {@link badArchive}. */
async function eachPiece(body: ReadableStream<Uint8Array>, sink: (piece: Uint8Array) => Promise<void>): Promise<number> {
  const reader = body.getReader();
  let total = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (err) {
      throw badArchive(err);
    }
    if (next.done) return total;
    total += next.value.length;
    await sink(next.value.slice());
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

async function writeEntry(storage: StorageAdapter, key: string, entry: ParsedTarEntry): Promise<void> {
  const size = entry.header.size;
  if (!storage.writeStream) {
    const whole = new Uint8Array(size);
    let off = 0;
    await eachPiece(entry.body, async (piece) => {
      whole.set(piece, off);
      off += piece.length;
    });
    await storage.write(key, whole);
    return;
  }
  const writer = (await storage.writeStream(key)).getWriter();
  try {
    await eachPiece(entry.body, (piece) => writer.write(piece));
    await writer.close();
  } catch (err) {
    await writer.abort(err).catch(() => undefined);
    throw err;
  }
}

/**
 * Writes every file of a `.dash` tar archive into `storage` (replacing keys that exist) and
 * returns the keys written, in archive order. Folders, links and other entry types are skipped;
 * a path that is not a valid storage key (`..`, absolute) is refused with a `StorageError`, and
 * so is a damaged archive (bad checksum, a size that is not a number, a truncated entry or end):
 * code `BAD_ARCHIVE`.
 *
 * @example
 * ```ts
 * const keys = await importArchive(opfsAdapter(), await fetch("/runs/run-1.tar").then((r) => r.body!));
 * ```
 */
export async function importArchive(storage: StorageAdapter, source: ArchiveSource, options: ImportOptions = {}): Promise<string[]> {
  const root = (options.root ?? ".dash").replace(/\/+$/, "");
  const entries = toStream(source).pipeThrough(createTarDecoder({ strict: true })).getReader();
  const keys: string[] = [];
  try {
    for (;;) {
      let next: ReadableStreamReadResult<ParsedTarEntry>;
      try {
        next = await entries.read();
      } catch (err) {
        throw badArchive(err);
      }
      if (next.done) break;
      const entry = next.value;
      const key = entry.header.type === "file" ? keyOf(entry.header.name, root) : undefined;
      if (key === undefined) {
        await eachPiece(entry.body, async () => undefined); // drained: the decoder waits for it
        continue;
      }
      assertValidKey(key);
      await writeEntry(storage, key, entry);
      keys.push(key);
    }
  } finally {
    await entries.cancel().catch(() => undefined);
  }
  return keys;
}
