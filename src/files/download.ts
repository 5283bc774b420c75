/**
 * `download`: a file of the run streamed to the local file system, its SHA-256 checked on the
 * way; a copy that does not match is removed (as ML-Dash Python does).
 */
import { StorageError } from "../errors.ts";
import type { LocalFileSystem } from "./local-fs.ts";
import { toHex, type Sha256 } from "./sha256.ts";
import type { FileInfo, FileStore } from "./types.ts";

/** Writes `f` to `target` (a path, or a folder to put it in); resolves to the path written. */
export async function downloadTo(fs: LocalFileSystem, store: FileStore, sha256: () => Sha256, f: FileInfo, target: string): Promise<string> {
  const source = await store.stream(f);
  const hash = sha256();
  const hashing = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, c) {
        hash.update(chunk);
        c.enqueue(chunk);
      },
    }),
  );
  const written = await fs.write(target, f.filename, hashing);
  const sum = toHex(hash.digest());
  if (f.checksum && sum !== f.checksum) {
    await fs.remove(written).catch(() => undefined);
    throw new StorageError(`Checksum verification failed for file ${f.id} (${f.filename}): stored ${f.checksum}, read ${sum}; the copy was removed`, {
      code: "CHECKSUM",
    });
  }
  return written;
}
