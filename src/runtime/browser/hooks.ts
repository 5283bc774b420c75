/**
 * The browser runtime's hooks (windows and workers): zero-config storage is IndexedDB (database
 * `ml-dash`, or the `dashRoot` name; written by a worker in a window), a window flushes its runs when the page is hidden, and big
 * batches are encoded on module workers (encoder.ts).
 */
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { sharedStores } from "../shared-stores.ts";
import { onPageHide } from "./page-hide.ts";
import { browserStore } from "./page-store.ts";

const storeFor = sharedStores(browserStore);

/**
 * One IndexedDB store per database, shared by every experiment of the page or worker; a
 * window's is served by a worker (page-store.ts).
 */
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
  // A window's thread draws the page: it encodes only at the buffer's bound (a worker helps from a quarter).
  callerEncodesAt: typeof document === "undefined" ? 0.25 : 1,
};
