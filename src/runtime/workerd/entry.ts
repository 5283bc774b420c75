/**
 * `ml-dash` on Cloudflare Workers (workerd): there is no file system, so the zero-config store
 * is memory (one per `dashRoot`, shared by the isolate's experiments); with `dashUrl` a run is
 * remote-only by default. End runs with `ctx.waitUntil(exp.run.complete())`.
 */
import { memoryAdapter } from "../../../adapters/memory/index.ts";
import { Experiment as CoreExperiment } from "../../api/experiment.ts";
import { sharedStores, type RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { makeWithExperiment } from "../../api/with-experiment.ts";

export * from "../../index.ts";

/** One memory store per root, kept for the life of the isolate. */
export const defaultMemoryStorage: (root: string) => StorageAdapter = sharedStores(() => memoryAdapter());

/** The workerd runtime hooks. */
export const workerdRuntime: RuntimeHooks = { name: "workerd", defaultStorage: defaultMemoryStorage, remoteOnlyByDefault: true };

/** {@inheritDoc CoreExperiment} With no `storage`, keeps the run in memory; with `dashUrl`, remote-only. */
export class Experiment extends CoreExperiment {
  static override runtime: RuntimeHooks = workerdRuntime;
}

/** {@inheritDoc withExperiment} */
export const withExperiment = makeWithExperiment(Experiment);
