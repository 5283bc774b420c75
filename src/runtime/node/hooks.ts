/**
 * The Node runtime's hooks: zero-config storage is `./.dash` (or `dashRoot`) through node-fs;
 * the environment is `process.env`; unfinished runs drain before exit and on SIGINT/SIGTERM;
 * the files API reads and writes local files with `node:fs`; big batches are encoded on worker
 * threads. Bun runs all of these unchanged (src/runtime/bun/hooks.ts).
 */
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { sharedStores } from "../shared-stores.ts";
import { spawnNodeEncoder } from "./encoder.ts";
import { nodeFileHooks } from "./files.ts";
import { nodeHostHooks } from "./host.ts";
import { processHooks } from "./process.ts";

/** One node-fs adapter per root, shared by every experiment of the process. */
export const defaultFsStorage: (root: string) => StorageAdapter = sharedStores((root) => nodeFsAdapter({ root }));

/** The Node runtime hooks. */
export const nodeRuntime: RuntimeHooks = {
  name: "node",
  defaultStorage: defaultFsStorage,
  ...processHooks,
  ...nodeHostHooks,
  ...nodeFileHooks,
  ...(spawnNodeEncoder ? { spawnEncoder: spawnNodeEncoder } : {}),
};
