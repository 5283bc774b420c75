/**
 * `ml-dash` in browsers (windows and workers): zero-config storage is IndexedDB (database
 * `ml-dash`, or the `dashRoot` name). A window flushes every running experiment when the page
 * is hidden or unloaded (`visibilitychange`, `pagehide`); the run stays open, because a hidden
 * tab may come back.
 */
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";
import { Experiment as CoreExperiment } from "../experiment.ts";
import { sharedStores, type ExitReason, type RuntimeHooks } from "../runtime.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import { makeWithExperiment } from "../with-experiment.ts";

export * from "../index.ts";

type Drain = (reason: ExitReason) => Promise<void>;

const drains = new Set<Drain>();
let installed = false;

function flushAll(): void {
  for (const d of drains) void d("hide");
}

function onVisibility(): void {
  if (document.visibilityState === "hidden") flushAll();
}

function install(): void {
  if (installed || typeof document === "undefined") return; // workers have no page to hide
  installed = true;
  document.addEventListener("visibilitychange", onVisibility);
  globalThis.addEventListener("pagehide", flushAll);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  document.removeEventListener("visibilitychange", onVisibility);
  globalThis.removeEventListener("pagehide", flushAll);
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
  onExit(drain) {
    drains.add(drain);
    install();
    return () => {
      drains.delete(drain);
      if (drains.size === 0) uninstall();
    };
  },
};

/** {@inheritDoc CoreExperiment} With no `storage`, writes to IndexedDB (database `ml-dash`). */
export class Experiment extends CoreExperiment {
  static override runtime: RuntimeHooks = browserRuntime;
}

/** {@inheritDoc withExperiment} */
export const withExperiment = makeWithExperiment(Experiment);
