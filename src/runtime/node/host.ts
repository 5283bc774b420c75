/**
 * Host hooks shared by the Node and Bun entries: the working directory, the main script and the
 * project-root search for `RUN.entry` / `pathStem`, and the token files of `~/.dash`.
 */
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { loadDashToken } from "../../auth/token.ts";
import { searchProjectRoot } from "../../run-config/entry-path.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import { processEnv } from "./process.ts";

const slashes = (p: string): string => (process.platform === "win32" ? p.replace(/\\/g, "/") : p);

function stat(path: string): "file" | "dir" | undefined {
  try {
    const s = statSync(path, { throwIfNoEntry: false });
    return s === undefined ? undefined : s.isDirectory() ? "dir" : "file";
  } catch {
    return undefined; // unreadable counts as absent, as Python's Path.exists() does
  }
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw err;
  }
}

/** `cwd`, `findProjectRoot`, `mainEntry` and `loadToken` for Node-compatible runtimes. */
export const nodeHostHooks: Pick<RuntimeHooks, "cwd" | "findProjectRoot" | "mainEntry" | "loadToken"> = {
  cwd: () => slashes(process.cwd()),
  findProjectRoot: (entryPath) => searchProjectRoot(entryPath, stat),
  mainEntry: () => process.argv[1],
  loadToken: () => loadDashToken({ env: processEnv, home: homedir, readFile: readIfExists }),
};
