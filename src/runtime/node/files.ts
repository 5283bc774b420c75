/**
 * File-system and hashing hooks for the files API on runtimes with `node:fs` and `node:crypto`
 * (Node and Bun; Deno can use them too): `upload(localPath)`, `download({ to })`, and a native
 * incremental SHA-256 for streamed saves (~10× the portable one).
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import type { FileHandle } from "node:fs/promises";
import { fileHandleStream } from "../../../adapters/node-fs/file-stream.ts";
import { ValidationError } from "../../errors.ts";
import type { LocalFileSystem } from "../../files/local-fs.ts";
import type { Sha256 } from "../../files/sha256.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import { tempName } from "../../storage/temp-names.ts";

const CHUNK = 1024 * 1024;

/** `node:fs` access for `files.upload` and `download`. */
export const nodeLocalFiles: LocalFileSystem = {
  async open(localPath) {
    let h: FileHandle;
    try {
      h = await fsp.open(localPath, "r");
    } catch (err) {
      throw new ValidationError(`upload(): cannot open ${JSON.stringify(localPath)}: ${(err as Error).message}`, { field: "localPath", cause: err });
    }
    const st = await h.stat();
    if (!st.isFile()) {
      await h.close();
      throw new ValidationError(`upload(): ${JSON.stringify(localPath)} is not a regular file`, { field: "localPath" });
    }
    return { name: basename(localPath), size: st.size, stream: fileHandleStream(h, CHUNK) };
  },

  async write(target, name, data) {
    let path = resolve(target);
    const isDir = target.endsWith("/") || target.endsWith(sep) || (await fsp.stat(path).then((s) => s.isDirectory(), () => false));
    if (isDir) path = join(path, name);
    await fsp.mkdir(dirname(path), { recursive: true });
    const tmp = tempName(path);
    const h = await fsp.open(tmp, "w");
    try {
      let pos = 0;
      for await (const chunk of data as unknown as AsyncIterable<Uint8Array>) {
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await h.write(chunk, off, chunk.length - off, pos + off);
          off += bytesWritten;
        }
        pos += chunk.length;
      }
      await h.close();
      await fsp.rename(tmp, path);
    } catch (err) {
      await h.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return path;
  },

  async remove(path) {
    await fsp.rm(path, { force: true });
  },

  join(dir, name) {
    return join(dir, name);
  },
};

/** node:crypto's incremental SHA-256. */
export function nodeSha256(): Sha256 {
  const h = createHash("sha256");
  return {
    update(chunk) {
      h.update(chunk);
    },
    digest() {
      const d = h.digest();
      return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    },
  };
}

/** The files hooks of the Node and Bun entries. */
export const nodeFileHooks: Pick<RuntimeHooks, "localFiles" | "sha256"> = { localFiles: nodeLocalFiles, sha256: nodeSha256 };
