/**
 * Host hooks of the Deno entry: the working directory, the main module and the project-root
 * search for `RUN.entry` / `pathStem`, the token of `ML_DASH_TOKEN` or `~/.dash` (as the Node
 * entry reads it), and the files API's local file system (`node:fs` and `node:crypto`, which
 * Deno provides).
 */
import { denoApi, isNotFound } from "../../../adapters/deno-fs/deno-api.ts";
import { loadDashToken } from "../../auth/token.ts";
import { searchProjectRoot } from "../../run-config/entry-path.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import { nodeFileHooks } from "../node/files.ts";

const slashes = (p: string): string => (denoApi().build.os === "windows" ? p.replace(/\\/g, "/") : p);

/** Reads an environment variable; `undefined` without `--allow-env`. */
export function denoEnv(name: string): string | undefined {
  try {
    return denoApi().env.get(name);
  } catch {
    return undefined;
  }
}

function stat(path: string): "file" | "dir" | undefined {
  try {
    return denoApi().statSync(path).isDirectory ? "dir" : "file";
  } catch {
    return undefined; // missing or unreadable counts as absent, as Python's Path.exists() does
  }
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await denoApi().readFile(path);
  } catch (err) {
    if (isNotFound(err) || (err as { name?: string }).name === "NotADirectory") return undefined;
    throw err;
  }
}

/** `cwd`, `findProjectRoot`, `mainEntry`, `loadToken`, `localFiles` and `sha256` on Deno. */
export const denoHostHooks: Pick<RuntimeHooks, "cwd" | "findProjectRoot" | "mainEntry" | "loadToken" | "localFiles" | "sha256"> = {
  cwd: () => slashes(denoApi().cwd()),
  findProjectRoot: (entryPath) => searchProjectRoot(entryPath, stat),
  mainEntry: () => denoApi().mainModule,
  loadToken: () => loadDashToken({ env: denoEnv, home: () => denoEnv("USERPROFILE"), readFile: readIfExists }),
  ...nodeFileHooks,
};
