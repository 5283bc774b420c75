/**
 * `ml-dash` in browsers (windows and workers): zero-config storage is IndexedDB (database
 * `ml-dash`, or the `dashRoot` name). A window flushes every running experiment when the page
 * is hidden or unloaded (`visibilitychange`, `pagehide`); the run stays open, because a hidden
 * tab may come back.
 */
import type { Experiment as CoreExperiment } from "../../api/experiment.ts";
import type { WithExperiment } from "../../api/with-experiment.ts";
import { defineEntry } from "../define-entry.ts";
import { browserRuntime } from "./hooks.ts";

export * from "../../exports.ts";
export { browserRuntime, defaultBrowserStorage } from "./hooks.ts";

const entry = defineEntry(browserRuntime);
/** `Experiment` in browsers: with no `storage`, it writes to IndexedDB (database `ml-dash`). */
export const Experiment: typeof CoreExperiment = entry.Experiment;
/** An experiment (an instance of {@link Experiment}). */
export type Experiment = CoreExperiment;
/** Runs a function inside a new {@link Experiment} on every call (the decorator form). */
export const withExperiment: WithExperiment<CoreExperiment> = entry.withExperiment;
