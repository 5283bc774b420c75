/**
 * The folder walk behind a file-system adapter's `list`: breadth first, several folders read at
 * once. A `.dash` tree of 200 runs has ~1,000 folders; read one after another, each waiting for
 * the one before, listing it took most of a runs table's time.
 */
import { mapLimit } from "../internal/map-limit.ts";
import { isTempName } from "./temp-names.ts";

/** One entry of a folder, as the walk needs it. */
export interface WalkEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  readonly isFile: boolean;
}

/** Folders read at once: their latency overlaps, and other requests' reads still get a turn. */
const FOLDERS_AT_ONCE = 16;

/**
 * Every file key below folder `rel` (`""` = the root), unsorted; temporary files are left out.
 * `readDir` answers a folder's entries by key, or `null` when it is gone (removed meanwhile).
 *
 * @example
 * ```ts
 * const keys = await walkFiles((rel) => readEntries(rel), "");
 * ```
 */
export async function walkFiles(readDir: (rel: string) => Promise<readonly WalkEntry[] | null>, rel: string): Promise<string[]> {
  const out: string[] = [];
  let level = [rel];
  while (level.length > 0) {
    const next: string[] = [];
    await mapLimit(level, FOLDERS_AT_ONCE, async (dir) => {
      for (const e of (await readDir(dir)) ?? []) {
        const child = dir === "" ? e.name : `${dir}/${e.name}`;
        if (e.isDirectory) next.push(child);
        else if (e.isFile && !isTempName(e.name)) out.push(child);
      }
    });
    level = next;
  }
  return out;
}
