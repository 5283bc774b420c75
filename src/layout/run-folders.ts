/**
 * Run discovery, written once: which folders of a `.dash` tree are runs. A run is a folder
 * holding an `experiment.json`, at least `owner/project` deep, and not inside another run (a user
 * file named `experiment.json` saved under a run's `files/` is no run). The server's index, the
 * dashboard's tree, `ml-dash ls`, `ml-dash serve` and `ml-dash upload` all find runs here.
 */
import type { StorageAdapter } from "../storage/contract.ts";
import { runKeys } from "./paths.ts";

const SUFFIX = `/${runKeys.experiment}`;

/**
 * The run folders of a key listing, sorted.
 *
 * @example
 * ```ts
 * runFolders(["a/b/experiment.json", "a/b/files/x/1/experiment.json", "solo/experiment.json"]); // ["a/b"]
 * ```
 */
export function runFolders(keys: readonly string[]): string[] {
  const dirs = keys.filter((k) => k.endsWith(SUFFIX)).map((k) => k.slice(0, -SUFFIX.length));
  const set = new Set(dirs);
  return dirs
    .filter((d) => {
      if (d.split("/").length < 2) return false;
      for (let p = d.lastIndexOf("/"); p > 0; p = d.lastIndexOf("/", p - 1)) if (set.has(d.slice(0, p))) return false;
      return true;
    })
    .sort();
}

/** The folder `under` names with its slashes trimmed (`""` = the whole tree). */
export function trimFolder(under: string | undefined): string {
  return under?.replace(/^\/+|\/+$/g, "") ?? "";
}

/**
 * Every run folder of a store (below `under` when given), sorted, and the listing it came from
 * (callers that summarise runs reuse it instead of listing again).
 */
export async function listRunFolders(storage: StorageAdapter, under?: string): Promise<{ runs: string[]; keys: string[] }> {
  const keys = await storage.list(trimFolder(under));
  return { runs: runFolders(keys), keys };
}

/** Every run folder of a store (below `under` when given), sorted. */
export async function findRunFolders(storage: StorageAdapter, under?: string): Promise<string[]> {
  return (await listRunFolders(storage, under)).runs;
}
