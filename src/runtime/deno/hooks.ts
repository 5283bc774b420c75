/**
 * The Deno runtime's hooks: zero-config storage is `./.dash` (or `dashRoot`) through deno-fs;
 * the environment, working directory, main module and token files through the `Deno` global
 * (host.ts); unfinished runs drain when the program ends and on SIGINT/SIGTERM (exit.ts); the
 * files API's local files and SHA-256 are Node's (Deno provides `node:fs` and `node:crypto`).
 */
import { denoFsAdapter } from "../../../adapters/deno-fs/index.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { nodeFileHooks } from "../node/files.ts";
import { sharedStores } from "../shared-stores.ts";
import { denoExitHooks } from "./exit.ts";
import { denoHostHooks } from "./host.ts";

/** One deno-fs adapter per root, shared by every experiment of the program. */
export const defaultDenoStorage: (root: string) => StorageAdapter = sharedStores((root) => denoFsAdapter({ root }));

/** The Deno runtime hooks. */
export const denoRuntime: RuntimeHooks = {
  name: "deno",
  defaultStorage: defaultDenoStorage,
  ...denoHostHooks,
  ...denoExitHooks,
  ...nodeFileHooks,
};
