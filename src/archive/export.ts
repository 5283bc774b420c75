/**
 * Exporting runs from any store as a tar archive of a `.dash` folder, streamed: one file at a
 * time, read in 1 MiB ranges, so no archive and no whole file is ever held in memory.
 */
import { StorageError, storageError } from "../errors.ts";
import { assertValidKey, type StorageAdapter } from "../storage/contract.ts";
import { endOfArchive, fileHeader, padding } from "./tar.ts";

/** Options of {@link exportArchive}. */
export interface ExportOptions {
  /** Folder that holds the keys inside the archive. Default `.dash`; `""` puts keys at the top. */
  readonly root?: string;
}

const PIECE = 1 << 20;

/**
 * A tar archive of every key at or below `prefix` (a run, a project, or `""` for the whole
 * store), as a stream. Extracted (`tar -xf`), it is a `.dash` folder that ML-Dash Python and
 * `nodeFsAdapter` read as is. Export a finished run, or flush first: a file that shrinks while
 * it is being exported fails the stream with a `StorageError`.
 *
 * @example
 * ```ts
 * const archive = exportArchive(indexedDBAdapter(), "alice/mnist/run-1");
 * const blob = await new Response(archive).blob();   // download it, upload it, …
 * ```
 */
export function exportArchive(storage: StorageAdapter, prefix: string, options: ExportOptions = {}): ReadableStream<Uint8Array> {
  if (prefix !== "") assertValidKey(prefix);
  const root = options.root ?? ".dash";
  if (root !== "") assertValidKey(root);
  const chunks = entries(storage, prefix, root === "" ? "" : `${root}/`);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

async function* entries(storage: StorageAdapter, prefix: string, root: string): AsyncGenerator<Uint8Array, void, undefined> {
  let keys: string[];
  try {
    keys = await storage.list(prefix);
  } catch (err) {
    throw storageError("list", prefix, err);
  }
  for (const key of keys) {
    const st = await storage.stat(key);
    if (!st) continue; // deleted since it was listed
    yield* fileHeader(root + key, st.size, st.mtimeMs ?? Date.now());
    for (let at = 0; at < st.size; at += PIECE) {
      const want = Math.min(PIECE, st.size - at);
      const piece = await storage.readRange(key, at, at + want);
      if (!piece || piece.length !== want) {
        throw new StorageError(`Export failed for "${key}": it changed while being exported; flush or finish the run and export again`, { code: "CHANGED" });
      }
      yield piece;
    }
    yield padding(st.size);
  }
  yield endOfArchive();
}
