/**
 * `withExperiment`: the decorator form of ML-Dash Python (`@ml_dash_experiment`). TypeScript has
 * no decorators for plain functions, so it wraps a function instead: every call of the result
 * builds a new Experiment and runs the function inside `exp.run`.
 */
import type { Experiment } from "./experiment.ts";
import type { ExperimentOptions } from "./options.ts";

/** The `withExperiment` function of an entry point, bound to its Experiment class. */
export type WithExperiment<E extends Experiment> = <A extends unknown[], R>(
  prefixOrOptions: string | ExperimentOptions,
  fn: (exp: E, ...args: A) => R | Promise<R>,
) => (...args: A) => Promise<R>;

/** Builds `withExperiment` for an Experiment class. */
export function makeWithExperiment<E extends Experiment>(Ctor: new (prefixOrOptions?: string | ExperimentOptions) => E): WithExperiment<E> {
  return (prefixOrOptions, fn) =>
    (...args) =>
      new Ctor(prefixOrOptions).run((exp) => fn(exp as E, ...args));
}
