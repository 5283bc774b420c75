/**
 * `ml-dash` on Node: zero-config storage is `./.dash` through node-fs; `ML_DASH_PREFIX` (or
 * `DASH_PREFIX`) supplies a missing prefix; unfinished runs are drained on exit.
 */
import type { Experiment as CoreExperiment } from "../../api/experiment.ts";
import type { WithExperiment } from "../../api/with-experiment.ts";
import { templateEngine } from "../../run-config/expand.ts";
import { defineEntry } from "../define-entry.ts";
import { nodeRuntime } from "./hooks.ts";

export * from "../../index.ts";
export { defaultFsStorage, nodeRuntime } from "./hooks.ts";

const entry = defineEntry(nodeRuntime, templateEngine);
/** `Experiment` on Node: with no `storage`, it writes `./.dash` (or `dashRoot`) through node-fs. */
export const Experiment: typeof CoreExperiment = entry.Experiment;
/** An experiment (an instance of {@link Experiment}). */
export type Experiment = CoreExperiment;
/** Runs a function inside a new {@link Experiment} on every call (the decorator form). */
export const withExperiment: WithExperiment<CoreExperiment> = entry.withExperiment;
