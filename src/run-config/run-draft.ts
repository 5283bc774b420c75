/**
 * A run config copied from `RUN` and the run parameters but whose prefix template is not
 * expanded yet: what `resolve.ts` hands to the template code (`expand.ts`) when the prefix
 * holds a `{…}`, and the helpers both halves share.
 */
import { parsePrefix, type ParsedPrefix } from "../model/prefix.ts";
import type { RunParams } from "../model/run-params.ts";
import type { RunConfig } from "./run.ts";

/** One experiment's run config before its prefix template is expanded. */
export interface RunDraft {
  /** The config: every field copied; `prefix` still the template. */
  readonly config: RunConfig;
  /** The fields as `{EXP.attr}` sees them: before the entry and path stem were resolved (Python's order). */
  readonly beforeEntry: RunConfig;
  /** Where the prefix template came from, for error messages (`prefix`, `run.prefix`, `ML_DASH_PREFIX`, …). */
  readonly prefixWhere: string;
  /** The run parameters given to this experiment (a template in one of them is named `run.<key>`). */
  readonly params: RunParams;
}

/** Owner, project and name from the parsed prefix (Python re-parses only with 2+ segments). */
export function applyParsed(cfg: RunConfig, parsed: ParsedPrefix): void {
  if (parsed.segments.length >= 2) {
    cfg.owner = parsed.owner;
    cfg.project = parsed.project;
  }
  cfg.name = parsed.name;
}

/** Parses an expanded prefix into `cfg` (nothing changes when it throws). */
export function usePrefix(cfg: RunConfig, prefix: string, where: string): ParsedPrefix {
  const parsed = parsePrefix(prefix, where);
  cfg.prefix = prefix;
  applyParsed(cfg, parsed);
  return parsed;
}
