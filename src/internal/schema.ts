/**
 * The leaves of the option schemas (`new Experiment` options, `run`, `RUN`): one valibot
 * `custom` schema per rule, checked by a small predicate of ours. valibot still walks the
 * objects (unknown keys, dot paths like `buffer.maxBatch`, the first issue); the leaves are one
 * schema function instead of a dozen (`string`, `number`, `pipe`, `integer`, `minValue`,
 * `union`, `url`, …), which keeps what a browser page loads up front small.
 */
import * as v from "valibot";

/** What the messages say was received: valibot's wording, and "Invalid Date" for a NaN date. */
function received(issue: v.CustomIssue): string {
  return issue.input instanceof Date ? String(issue.input) : issue.received;
}

/**
 * A schema that accepts what `ok` accepts; otherwise the issue reads
 * `Expected <expected> but received <what it got>`, as valibot's own messages do.
 *
 * @example leaf<number>("an integer >= 0", (x) => Number.isInteger(x) && (x as number) >= 0)
 */
export function leaf<T>(expected: string, ok: (x: unknown) => boolean): v.CustomSchema<T, (issue: v.CustomIssue) => string> {
  return v.custom<T, (issue: v.CustomIssue) => string>(ok, (issue) => `Expected ${expected} but received ${received(issue)}`);
}

/** Any string. */
export const text = leaf<string>("a string", (x) => typeof x === "string");

/** A number `>= min` (not NaN); with `integer`, a whole number. */
export function atLeast(min: number, integer = false): v.CustomSchema<number, (issue: v.CustomIssue) => string> {
  return leaf<number>(`${integer ? "an integer" : "a number"} >= ${min}`, (x) => typeof x === "number" && x >= min && (!integer || Number.isInteger(x)));
}

/** A function. */
export const fn = leaf<(...args: never[]) => unknown>("a function", (x) => typeof x === "function");
