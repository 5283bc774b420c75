/**
 * ml-dash/core: the runtime-agnostic SDK with no default store. Pass `storage` (or
 * `dashUrl` with `storage: null`) explicitly. `ml-dash` re-exports all of this with the
 * runtime's zero-config defaults.
 *
 * @example
 * ```ts
 * import { Experiment } from "ml-dash/core";
 * import { memoryAdapter } from "ml-dash/adapters/memory";
 * const exp = new Experiment("alice/demo/run-1", { storage: memoryAdapter() });
 * ```
 *
 * Templates in prefixes (`{now:%Y}`, `{EXP.name}`, …) expand in the Experiment constructor:
 * this entry, and every runtime entry built on it, loads their code up front.
 */
import { Experiment as BaseExperiment } from "./api/experiment.ts";
import { makeWithExperiment, type WithExperiment } from "./api/with-experiment.ts";
import { withTemplates } from "./run-config/engine.ts";
import { templateEngine } from "./run-config/expand.ts";

export * from "./exports.ts";

/** An experiment: one run's logs, parameters, metrics, tracks and files under one prefix. */
export const Experiment: typeof BaseExperiment = withTemplates(BaseExperiment, templateEngine);
/** An experiment (an instance of {@link Experiment}). */
export type Experiment = BaseExperiment;
/** Runs a function inside a new {@link Experiment} on every call (the decorator form). */
export const withExperiment: WithExperiment<BaseExperiment> = makeWithExperiment(Experiment);
