/**
 * Experiment prefixes: `owner/project/path.../name`, parsed the way ML-Dash Python parses
 * them (its `Experiment.__init__` prefix split), plus the validation Python lacks.
 */
import { ValidationError } from "../errors.ts";
import { MAX_PREFIX_BYTES, pathProblem, shown } from "./names.ts";

/** The parts of a prefix. */
export interface ParsedPrefix {
  /** The prefix without leading or trailing slashes: the experiment's folder under the root. */
  readonly path: string;
  /** First segment, when there are at least two segments. */
  readonly owner: string | undefined;
  /** Second segment, when there are at least two segments. */
  readonly project: string | undefined;
  /** Last segment; for a two-segment prefix that is the project (as in Python). */
  readonly name: string;
  /** Segments between the project and the name (used for remote folder nodes). */
  readonly folders: readonly string[];
  /** Every segment. */
  readonly segments: readonly string[];
}

/**
 * Parses and validates a prefix. Leading and trailing `/` are dropped (Python allows them);
 * empty segments, `.` and `..`, control and direction characters, backslashes, segments over
 * 255 bytes and prefixes over 512 bytes (the rule of `names.ts`) are rejected with a
 * {@link ValidationError}.
 *
 * - 1 segment (`"solo"`): no owner or project; name `"solo"`.
 * - 2 segments (`"a/b"`): owner `a`, project `b`, name `b`.
 * - 3+ segments (`"a/b/c/d"`): owner `a`, project `b`, name `d`, folders `["c"]`.
 */
export function parsePrefix(prefix: unknown, field = "prefix"): ParsedPrefix {
  if (typeof prefix !== "string") {
    throw new ValidationError(`Invalid ${field}: expected a string like "owner/project/name", got ${typeof prefix}`, { field });
  }
  const path = prefix.replace(/^\/+|\/+$/g, "");
  if (path === "") {
    throw new ValidationError(`Invalid ${field} "${prefix}": it is empty; use "owner/project/name"`, { field });
  }
  const problem = pathProblem(path, MAX_PREFIX_BYTES);
  if (problem) throw new ValidationError(`Invalid ${field} ${shown(prefix)}: it ${problem}; use "owner/project/name"`, { field });
  const segments = path.split("/");
  const n = segments.length;
  if (n === 1) {
    return { path, owner: undefined, project: undefined, name: segments[0] as string, folders: [], segments };
  }
  return {
    path,
    owner: segments[0],
    project: segments[1],
    name: segments[n - 1] as string,
    folders: segments.slice(2, -1),
    segments,
  };
}
