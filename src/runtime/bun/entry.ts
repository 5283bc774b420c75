/**
 * `ml-dash` on Bun: the same as Node (node-fs at `./.dash`, process hooks), under the name "bun".
 */
import type { Experiment as CoreExperiment } from "../../api/experiment.ts";
import type { WithExperiment } from "../../api/with-experiment.ts";
import { templateEngine } from "../../run-config/expand.ts";
import { defineEntry } from "../define-entry.ts";
import { bunRuntime } from "./hooks.ts";

export * from "../../index.ts";
export { bunRuntime } from "./hooks.ts";

const entry = defineEntry(bunRuntime, templateEngine);
/** `Experiment` on Bun: with no `storage`, it writes `./.dash` (or `dashRoot`) through node-fs. */
export const Experiment: typeof CoreExperiment = entry.Experiment;
/** An experiment (an instance of {@link Experiment}). */
export type Experiment = CoreExperiment;
/** Runs a function inside a new {@link Experiment} on every call (the decorator form). */
export const withExperiment: WithExperiment<CoreExperiment> = entry.withExperiment;
