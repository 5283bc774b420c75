/**
 * `ml-dash` where no export condition matched (an unknown runtime or bundler): IndexedDB when
 * the platform has it, otherwise memory with remote-only runs for `dashUrl` (as on edge
 * runtimes). Pass `storage` to choose explicitly.
 */
import { Experiment as CoreExperiment } from "../../api/experiment.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { makeWithExperiment } from "../../api/with-experiment.ts";
import { defaultBrowserStorage } from "../browser/entry.ts";
import { defaultMemoryStorage } from "../workerd/entry.ts";

export * from "../../index.ts";

const hasIndexedDB = (): boolean => typeof (globalThis as { indexedDB?: unknown }).indexedDB === "object";

/** The hooks of the default entry. */
export const defaultRuntime: RuntimeHooks = {
  name: "default",
  defaultStorage: (root: string): StorageAdapter => (hasIndexedDB() ? defaultBrowserStorage(root) : defaultMemoryStorage(root)),
  get remoteOnlyByDefault(): boolean {
    return !hasIndexedDB();
  },
};

/** {@inheritDoc CoreExperiment} With no `storage`: IndexedDB where available, else memory. */
export class Experiment extends CoreExperiment {
  static override runtime: RuntimeHooks = defaultRuntime;
}

/** {@inheritDoc withExperiment} */
export const withExperiment = makeWithExperiment(Experiment);
