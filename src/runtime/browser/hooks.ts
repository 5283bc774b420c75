/**
 * The browser runtime's hooks (windows and workers): zero-config storage is IndexedDB (database
 * `ml-dash`, or the `dashRoot` name), a window flushes its runs when the page is hidden, and big
 * batches are encoded on module workers (encoder.ts).
 */
import { indexedDBAdapter } from "../../../adapters/indexeddb/index.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { sharedStores } from "../shared-stores.ts";
import { onPageHide } from "./page-hide.ts";

const storeFor = sharedStores((dbName) => indexedDBAdapter({ dbName }));

/** One IndexedDB adapter per database, shared by every experiment of the page or worker. */
export function defaultBrowserStorage(dashRoot: string): StorageAdapter {
  return storeFor(dashRoot === ".dash" ? "ml-dash" : dashRoot);
}

/** The browser runtime hooks. */
export const browserRuntime: RuntimeHooks = {
  name: "browser",
  defaultStorage: defaultBrowserStorage,
  onExit: onPageHide,
  // Big batches are encoded on module workers, off the page's thread (loaded with the first run).
  loadEncoder: () => import("./encoder.ts").then((m) => m.webEncoderSpawner()),
};
