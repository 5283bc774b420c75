/**
 * The hooks of the default entry (no export condition matched: an unknown runtime or bundler):
 * IndexedDB when the platform has it (the browser's store), otherwise memory with remote-only
 * runs for `dashUrl` (as on Workers).
 */
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { defaultBrowserStorage } from "../browser/hooks.ts";
import { defaultMemoryStorage } from "../workerd/hooks.ts";

const hasIndexedDB = (): boolean => typeof (globalThis as { indexedDB?: unknown }).indexedDB === "object";

/** The hooks of the default entry. */
export const defaultRuntime: RuntimeHooks = {
  name: "default",
  defaultStorage: (root: string): StorageAdapter => (hasIndexedDB() ? defaultBrowserStorage(root) : defaultMemoryStorage(root)),
  get remoteOnlyByDefault(): boolean {
    return !hasIndexedDB();
  },
};
