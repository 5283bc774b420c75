/**
 * `ml-dash` on Bun: the same as Node (node-fs at `./.dash`, process hooks), under the name "bun".
 */
import { Experiment as CoreExperiment } from "../../api/experiment.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import { makeWithExperiment } from "../../api/with-experiment.ts";
import { defaultFsStorage } from "../node/entry.ts";
import { spawnNodeEncoder } from "../node/encoder.ts";
import { nodeHostHooks } from "../node/host.ts";
import { nodeFileHooks } from "../node/files.ts";
import { processHooks } from "../node/process.ts";

export * from "../../index.ts";

/** The Bun runtime hooks. */
export const bunRuntime: RuntimeHooks = { name: "bun", defaultStorage: defaultFsStorage, ...processHooks, ...nodeHostHooks, ...nodeFileHooks, ...(spawnNodeEncoder ? { spawnEncoder: spawnNodeEncoder } : {}) };

/** {@inheritDoc CoreExperiment} With no `storage`, writes `./.dash` (or `dashRoot`) through node-fs. */
export class Experiment extends CoreExperiment {
  static override runtime: RuntimeHooks = bunRuntime;
}

/** {@inheritDoc withExperiment} */
export const withExperiment = makeWithExperiment(Experiment);
