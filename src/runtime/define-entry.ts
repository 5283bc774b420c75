/**
 * What every runtime's package entry adds to `ml-dash/core`: an `Experiment` whose zero-config
 * defaults (storage, environment, exit drains, …) come from that runtime's hooks, and
 * `withExperiment` bound to it. Everything else an entry exports is `ml-dash/core` itself, so an
 * entry (`src/runtime/<runtime>/entry.ts`) is a few lines: re-export the core, pick the hooks,
 * call {@link defineEntry}.
 *
 * @example
 * ```ts
 * export * from "../../index.ts";
 * const entry = defineEntry(nodeRuntime);
 * export const Experiment: typeof CoreExperiment = entry.Experiment;
 * export type Experiment = CoreExperiment;
 * export const withExperiment: WithExperiment<CoreExperiment> = entry.withExperiment;
 * ```
 */
import { Experiment as CoreExperiment } from "../api/experiment.ts";
import { makeWithExperiment, type WithExperiment } from "../api/with-experiment.ts";
import type { RuntimeHooks } from "../model/runtime-hooks.ts";
import { useTemplates, type TemplateEngine } from "../run-config/engine.ts";

/** The two exports a runtime entry defines on top of `ml-dash/core`. */
export interface Entry {
  /** `Experiment` with the runtime's defaults: a subclass of the core class whose `runtime` is the hooks. */
  readonly Experiment: typeof CoreExperiment;
  /** `withExperiment` building that `Experiment`. */
  readonly withExperiment: WithExperiment<CoreExperiment>;
}

/**
 * The `Experiment` and `withExperiment` of an entry whose runtime is `hooks`. With `templates`,
 * prefix templates expand in the constructor (every entry but the browser's, which loads that
 * code when a prefix first holds a template).
 */
export function defineEntry(hooks: RuntimeHooks, templates?: TemplateEngine): Entry {
  if (templates) useTemplates(templates);
  class Experiment extends CoreExperiment {
    static override runtime: RuntimeHooks = hooks;
  }
  return { Experiment, withExperiment: makeWithExperiment(Experiment) };
}
