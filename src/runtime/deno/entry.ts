/**
 * `ml-dash` on Deno: zero-config storage is `./.dash` through deno-fs; `ML_DASH_PREFIX` (or
 * `DASH_PREFIX`) supplies a missing prefix and `ML_DASH_TOKEN` a token (with `--allow-env`);
 * unfinished runs are completed when the program ends normally (`beforeunload`) and marked
 * CANCELLED on SIGINT/SIGTERM.
 */
import type { Experiment as CoreExperiment } from "../../api/experiment.ts";
import type { WithExperiment } from "../../api/with-experiment.ts";
import { templateEngine } from "../../run-config/expand.ts";
import { defineEntry } from "../define-entry.ts";
import { denoRuntime } from "./hooks.ts";

export * from "../../index.ts";
export { defaultDenoStorage, denoRuntime } from "./hooks.ts";

const entry = defineEntry(denoRuntime, templateEngine);
/** `Experiment` on Deno: with no `storage`, it writes `./.dash` (or `dashRoot`) through deno-fs. */
export const Experiment: typeof CoreExperiment = entry.Experiment;
/** An experiment (an instance of {@link Experiment}). */
export type Experiment = CoreExperiment;
/** Runs a function inside a new {@link Experiment} on every call (the decorator form). */
export const withExperiment: WithExperiment<CoreExperiment> = entry.withExperiment;
