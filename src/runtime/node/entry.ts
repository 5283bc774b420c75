/**
 * `ml-dash` on Node: zero-config storage is `./.dash` through node-fs; `ML_DASH_PREFIX` (or
 * `DASH_PREFIX`) supplies a missing prefix; unfinished runs are drained on exit.
 */
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { Experiment as CoreExperiment } from "../../api/experiment.ts";
import { sharedStores, type RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { makeWithExperiment } from "../../api/with-experiment.ts";
import { spawnNodeEncoder } from "./encoder.ts";
import { nodeHostHooks } from "./host.ts";
import { nodeFileHooks } from "./files.ts";
import { processHooks } from "./process.ts";

export * from "../../index.ts";

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
