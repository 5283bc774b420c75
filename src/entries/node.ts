/**
 * `ml-dash` on Node: zero-config storage is `./.dash` through node-fs; `ML_DASH_PREFIX` (or
 * `DASH_PREFIX`) supplies a missing prefix; unfinished runs are drained on exit.
 */
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { Experiment as CoreExperiment } from "../experiment.ts";
import { sharedStores, type RuntimeHooks } from "../runtime.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import { makeWithExperiment } from "../with-experiment.ts";
import { spawnNodeEncoder } from "./node-encoder.ts";
import { nodeHostHooks } from "./node-host.ts";
import { nodeFileHooks } from "./node-files.ts";
import { processHooks } from "./node-process.ts";

export * from "../index.ts";

/** One node-fs adapter per root, shared by every experiment of the process. */
export const defaultFsStorage: (root: string) => StorageAdapter = sharedStores((root) => nodeFsAdapter({ root }));

/** The Node runtime hooks. */
export const nodeRuntime: RuntimeHooks = { name: "node", defaultStorage: defaultFsStorage, ...processHooks, ...nodeHostHooks, ...nodeFileHooks, ...(spawnNodeEncoder ? { spawnEncoder: spawnNodeEncoder } : {}) };

/** {@inheritDoc CoreExperiment} With no `storage`, writes `./.dash` (or `dashRoot`) through node-fs. */
export class Experiment extends CoreExperiment {
  static override runtime: RuntimeHooks = nodeRuntime;
}

/** {@inheritDoc withExperiment} */
export const withExperiment = makeWithExperiment(Experiment);
