/**
 * The workerd (Cloudflare Workers) runtime's hooks: there is no file system, so the zero-config
 * store is memory (one per `dashRoot`, shared by the isolate's experiments), and with `dashUrl`
 * a run is remote-only by default.
 */
import { memoryAdapter } from "../../../adapters/memory/index.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { sharedStores } from "../shared-stores.ts";

/** One memory store per root, kept for the life of the isolate. */
export const defaultMemoryStorage: (root: string) => StorageAdapter = sharedStores(() => memoryAdapter());

/** The workerd runtime hooks. */
export const workerdRuntime: RuntimeHooks = { name: "workerd", defaultStorage: defaultMemoryStorage, remoteOnlyByDefault: true };
