/**
 * `download`: a file of the run streamed to the local file system, its SHA-256 checked on the
 * way; a copy that does not match is removed (as ML-Dash Python does).
 */
import { StorageError } from "../errors.ts";
import type { LocalFileSystem } from "./local-fs.ts";
import { toHex, type Sha256 } from "./sha256.ts";
import { segmentProblem, shown } from "../model/names.ts";
import type { FileInfo, FileStore } from "./types.ts";

/**
 * The file's name as a server (or a proxy, or a tampered metadata file) gave it, checked as
 * hostile before it names anything on disk: one plain segment — no `/` or `\\`, no `.` or `..`,
 * no drive letter, no NUL or control character — or a {@link StorageError} (code `UNSAFE_NAME`).
 */
export function safeFilename(f: FileInfo): string {
  const name = f.filename;
  let problem: string | undefined;
  if (typeof name !== "string" || name === "") problem = "is empty";
  else if (/^[A-Za-z]:/.test(name)) problem = "starts with a drive letter";
  else if (name.includes("/")) problem = "contains a /";
  else if (name.includes("\u0000")) problem = "contains a NUL character";
  else problem = segmentProblem(name);
  if (problem) {
    throw new StorageError(`Refusing to download file ${f.id}: its name ${shown(name)} ${problem}, which could write outside the folder; nothing was written`, { code: "UNSAFE_NAME" });
  }
  return name;
}

/** Writes `f` to `target` (a path, or a folder to put it in); resolves to the path written. */
export async function downloadTo(fs: LocalFileSystem, store: FileStore, sha256: () => Sha256, f: FileInfo, target: string): Promise<string> {
  const name = safeFilename(f);
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
  const written = await fs.write(target, name, hashing);
  const sum = toHex(hash.digest());
  if (f.checksum && sum !== f.checksum) {
    await fs.remove(written).catch(() => undefined);
    throw new StorageError(`Checksum verification failed for file ${f.id} (${f.filename}): stored ${f.checksum}, read ${sum}; the copy was removed`, {
      code: "CHECKSUM",
    });
  }
  return written;
}
