/**
 * `ml-dash` where no export condition matched (an unknown runtime or bundler): IndexedDB when
 * the platform has it, otherwise memory with remote-only runs for `dashUrl` (as on edge
 * runtimes). Pass `storage` to choose explicitly.
 */
import type { Experiment as CoreExperiment } from "../../api/experiment.ts";
import type { WithExperiment } from "../../api/with-experiment.ts";
import { templateEngine } from "../../run-config/expand.ts";
import { defineEntry } from "../define-entry.ts";
import { defaultRuntime } from "./hooks.ts";

export * from "../../index.ts";
export { defaultRuntime } from "./hooks.ts";

const entry = defineEntry(defaultRuntime, templateEngine);
/** `Experiment` of the default entry: with no `storage`, IndexedDB where available, else memory. */
export const Experiment: typeof CoreExperiment = entry.Experiment;
/** An experiment (an instance of {@link Experiment}). */
export type Experiment = CoreExperiment;
/** Runs a function inside a new {@link Experiment} on every call (the decorator form). */
export const withExperiment: WithExperiment<CoreExperiment> = entry.withExperiment;
