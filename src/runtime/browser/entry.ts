/**
 * `ml-dash` in browsers (windows and workers): zero-config storage is IndexedDB (database
 * `ml-dash`, or the `dashRoot` name). A window flushes every running experiment when the page
 * is hidden or unloaded (`visibilitychange`, `pagehide`); the run stays open, because a hidden
 * tab may come back.
 */
import { indexedDBAdapter } from "../../../adapters/indexeddb/index.ts";
import { Experiment as CoreExperiment } from "../../api/experiment.ts";
import { ExitDrains, sharedStores, type RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { makeWithExperiment } from "../../api/with-experiment.ts";

export * from "../../index.ts";

// A window flushes its runs when the page is hidden; workers have no page to hide.
const exits = new ExitDrains({
  install() {
    if (typeof document === "undefined") return;
    document.addEventListener("visibilitychange", onVisibility);
    globalThis.addEventListener("pagehide", flushAll);
  },
  uninstall() {
    if (typeof document === "undefined") return;
    document.removeEventListener("visibilitychange", onVisibility);
    globalThis.removeEventListener("pagehide", flushAll);
  },
});

function flushAll(): void {
  exits.startAll("hide");
}

function onVisibility(): void {
  if (document.visibilityState === "hidden") flushAll();
}

/** One IndexedDB adapter per database, shared by every experiment of the page or worker. */
export function defaultBrowserStorage(dashRoot: string): StorageAdapter {
  return storeFor(dashRoot === ".dash" ? "ml-dash" : dashRoot);
}

const storeFor = sharedStores((dbName) => indexedDBAdapter({ dbName }));

/** The browser runtime hooks. */
export const browserRuntime: RuntimeHooks = {
  name: "browser",
  defaultStorage: defaultBrowserStorage,
  onExit: exits.add,
};

/** {@inheritDoc CoreExperiment} With no `storage`, writes to IndexedDB (database `ml-dash`). */
export class Experiment extends CoreExperiment {
  static override runtime: RuntimeHooks = browserRuntime;
}

/** {@inheritDoc withExperiment} */
export const withExperiment = makeWithExperiment(Experiment);
