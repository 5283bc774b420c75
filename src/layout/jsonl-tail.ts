/**
 * Looking at the end of an append-only JSONL file without reading all of it: the last complete
 * line, and the repair of a torn last line that a crashed writer left behind.
 */
import { parsePyJsonAsync } from "./py-json-async.ts";
import type { StorageAdapter } from "../storage/contract.ts";

const NL = 10;
const decoder = new TextDecoder();

/** The end of a JSONL file after repair. */
export interface JsonlTail {
  /** Size of the file after any torn bytes were cut. */
  readonly size: number;
  /** The last complete line, parsed, or `undefined` when the file holds none. */
  readonly last: unknown;
  /** Bytes of a torn last line that were removed (or, for a reader, left alone and ignored). */
  readonly cut: number;
}

/**
 * Reads the last complete line of `key` and, with `cut` (the default), cuts a torn last line
 * (bytes after the final newline) so that the next append starts on a fresh line. Reads 64 KiB
 * from the end, doubling until a complete line is found.
 *
 * Only the writer that holds the run may cut: a torn line may be another process's append in
 * progress. Readers pass `cut: false`: the partial line is ignored (`size` ends before it) and
 * the file is left as it is.
 */
export async function repairTail(storage: StorageAdapter, key: string, cut = true): Promise<JsonlTail> {
  const st = await storage.stat(key);
  if (!st || st.size === 0) return { size: 0, last: undefined, cut: 0 };
  let size = st.size;
  let window = 64 * 1024;
  for (;;) {
    const start = Math.max(0, size - window);
    const bytes = await storage.readRange(key, start, size);
    if (!bytes) return { size: 0, last: undefined, cut: 0 };
    let torn = 0;
    let end = bytes.length;
    if (bytes[end - 1] !== NL) {
      const lastNl = bytes.lastIndexOf(NL);
      if (lastNl < 0 && start > 0) {
        window *= 2;
        continue;
      }
      // Torn line: keep everything up to and including the last newline.
      const keep = start + lastNl + 1;
      torn = size - keep;
      if (cut) await cutTo(storage, key, keep);
      size = keep;
      end = lastNl + 1;
      if (end === 0) return { size, last: undefined, cut: torn };
    }
    // bytes[0, end) ends with a newline; find the line before it.
    const prevNl = bytes.lastIndexOf(NL, end - 2);
    if (prevNl < 0 && start > 0) {
      window *= 2;
      continue;
    }
    const line = decoder.decode(bytes.subarray(prevNl + 1, end - 1));
    let last: unknown;
    try {
      last = await parsePyJsonAsync(line);
    } catch {
      last = undefined;
    }
    return { size, last, cut: torn };
  }
}

async function cutTo(storage: StorageAdapter, key: string, size: number): Promise<void> {
  if (storage.truncate) return storage.truncate(key, size);
  const all = await storage.read(key);
  if (all) await storage.write(key, all.subarray(0, size));
}

/** Counts newline-terminated lines in `key` from byte `from` to `end` (default: the end). */
export async function countLines(storage: StorageAdapter, key: string, from = 0, end?: number): Promise<number> {
  const bytes = from === 0 && end === undefined ? await storage.read(key) : await storage.readRange(key, from, end);
  if (!bytes) return 0;
  let n = 0;
  let i = bytes.indexOf(NL);
  while (i >= 0) {
    n++;
    i = bytes.indexOf(NL, i + 1);
  }
  return n;
}
