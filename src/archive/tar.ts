/**
 * Writing the tar format (POSIX ustar, with pax extended headers for long paths), as much as a
 * `.dash` export needs: regular files and their paths, a block at a time, so archives stream.
 * (Reading untrusted archives is modern-tar's job: see `import.ts`.)
 */
import { StorageError } from "../errors.ts";

/** Size of a tar block. */
export const BLOCK = 512;

const encoder = new TextEncoder();

function putString(block: Uint8Array, offset: number, length: number, value: string): void {
  block.set(encoder.encode(value).subarray(0, length), offset);
}

function putOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  putString(block, offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
}

function header(name: string, prefix: string, size: number, mtimeSec: number, type: string): Uint8Array {
  const block = new Uint8Array(BLOCK);
  putString(block, 0, 100, name);
  putOctal(block, 100, 8, 0o644);
  putOctal(block, 108, 8, 0);
  putOctal(block, 116, 8, 0);
  putOctal(block, 124, 12, size);
  putOctal(block, 136, 12, Math.max(0, Math.floor(mtimeSec)));
  block.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  putString(block, 156, 1, type);
  putString(block, 257, 8, "ustar\u000000");
  putString(block, 345, 155, prefix);
  let sum = 0;
  for (const b of block) sum += b;
  putString(block, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

/** Splits a path into ustar's `prefix` (155 bytes) and `name` (100 bytes), or null if it cannot. */
function splitUstar(path: string): [prefix: string, name: string] | null {
  const bytes = encoder.encode(path);
  if (bytes.length <= 100) return ["", path];
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100 && name !== "") return [prefix, name];
  }
  return null;
}

/** A pax record `"<length> <key>=<value>\n"`, whose length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = encoder.encode(body).length;
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return `${len}${body}`;
}

/** Zero bytes that pad `size` up to a whole block. */
export function padding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The end-of-archive marker: two zero blocks. */
export function endOfArchive(): Uint8Array {
  return new Uint8Array(2 * BLOCK);
}

/** The header block(s) of a regular file `path` of `size` bytes (a pax header first for long paths). */
export function fileHeader(path: string, size: number, mtimeMs: number): Uint8Array[] {
  if (size > 0o77777777777) throw new StorageError(`Cannot archive "${path}": ${size} bytes is over tar's 8 GiB limit`, { code: "TOO_LARGE" });
  const mtime = mtimeMs / 1000;
  const split = splitUstar(path);
  if (split) return [header(split[1], split[0], size, mtime, "0")];
  const pax = encoder.encode(paxRecord("path", path));
  const short = path.slice(-90).replace(/^[^/]*\//, "");
  return [header(`PaxHeader/${short}`.slice(0, 99), "", pax.length, mtime, "x"), pax, padding(pax.length), header(short.slice(0, 99), "", size, mtime, "0")];
}
