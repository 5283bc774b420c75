/**
 * `ml-dash` on Cloudflare Workers (workerd): there is no file system, so the zero-config store
 * is memory (one per `dashRoot`, shared by the isolate's experiments); with `dashUrl` a run is
 * remote-only by default. End runs with `ctx.waitUntil(exp.run.complete())`.
 */
import type { Experiment as CoreExperiment } from "../../api/experiment.ts";
import type { WithExperiment } from "../../api/with-experiment.ts";
import { templateEngine } from "../../run-config/expand.ts";
import { defineEntry } from "../define-entry.ts";
import { workerdRuntime } from "./hooks.ts";

export * from "../../index.ts";
export { defaultMemoryStorage, workerdRuntime } from "./hooks.ts";

const entry = defineEntry(workerdRuntime, templateEngine);
/** `Experiment` on Workers: with no `storage`, it keeps the run in memory; with `dashUrl`, remote-only. */
export const Experiment: typeof CoreExperiment = entry.Experiment;
/** An experiment (an instance of {@link Experiment}). */
export type Experiment = CoreExperiment;
/** Runs a function inside a new {@link Experiment} on every call (the decorator form). */
export const withExperiment: WithExperiment<CoreExperiment> = entry.withExperiment;
