/**
 * Host hooks shared by the Node and Bun entries: the working directory, the main script and the
 * project-root search for `RUN.entry` / `pathStem`.
 */
import { statSync } from "node:fs";
import { searchProjectRoot } from "../run-config/entry-path.ts";
import type { RuntimeHooks } from "../runtime.ts";

const slashes = (p: string): string => (process.platform === "win32" ? p.replace(/\\/g, "/") : p);

function stat(path: string): "file" | "dir" | undefined {
  try {
    const s = statSync(path, { throwIfNoEntry: false });
    return s === undefined ? undefined : s.isDirectory() ? "dir" : "file";
  } catch {
    return undefined; // unreadable counts as absent, as Python's Path.exists() does
  }
}

/** `cwd`, `findProjectRoot` and `mainEntry` for Node-compatible runtimes. */
export const nodeHostHooks: Pick<RuntimeHooks, "cwd" | "findProjectRoot" | "mainEntry"> = {
  cwd: () => slashes(process.cwd()),
  findProjectRoot: (entryPath) => searchProjectRoot(entryPath, stat),
  mainEntry: () => process.argv[1],
};
