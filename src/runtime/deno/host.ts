/**
 * Host hooks of the Deno entry: the working directory, the main module and the project-root
 * search for `RUN.entry` / `pathStem`, the environment (with `--allow-env`), and the token of
 * `ML_DASH_TOKEN` or `~/.dash` (as the Node entry reads it).
 */
import { deno, isNotFound } from "./deno-api.ts";
import { loadDashToken } from "../../auth/token.ts";
import { searchProjectRoot } from "../../run-config/entry-path.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";

const slashes = (p: string): string => (deno().build.os === "windows" ? p.replace(/\\/g, "/") : p);

/** Reads an environment variable; `undefined` without `--allow-env`. */
export function denoEnv(name: string): string | undefined {
  try {
    return deno().env.get(name);
  } catch {
    return undefined;
  }
}

function stat(path: string): "file" | "dir" | undefined {
  try {
    return deno().statSync(path).isDirectory ? "dir" : "file";
  } catch {
    return undefined; // missing or unreadable counts as absent, as Python's Path.exists() does
  }
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await deno().readFile(path);
  } catch (err) {
    if (isNotFound(err) || (err as { name?: string }).name === "NotADirectory") return undefined;
    throw err;
  }
}

/** `env`, `cwd`, `findProjectRoot`, `mainEntry` and `loadToken` on Deno. */
export const denoHostHooks: Pick<RuntimeHooks, "env" | "cwd" | "findProjectRoot" | "mainEntry" | "loadToken"> = {
  env: denoEnv,
  cwd: () => slashes(deno().cwd()),
  findProjectRoot: (entryPath) => searchProjectRoot(entryPath, stat),
  mainEntry: () => deno().mainModule,
  loadToken: () => loadDashToken({ env: denoEnv, home: () => denoEnv("USERPROFILE"), readFile: readIfExists }),
};
