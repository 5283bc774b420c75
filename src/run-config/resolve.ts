/**
 * One experiment's run config, built the way ML-Dash Python's `RUN(...)` builds it
 * (run.py `__post_init__` and `__setattr__`): copy the defaults and the run parameters, expand
 * `{EXP.attr}` in the prefix, find the entry's `pathStem`, take a job number, expand `{field}`
 * templates in up to 10 passes, then parse the prefix. The expansion itself is `expand.ts`,
 * reached through `engine.ts`: a prefix without `{` needs none of it.
 */
import { ValidationError } from "../errors.ts";
import { dotPath } from "../internal/schema.ts";
import type { ParsedPrefix } from "../model/prefix.ts";
import type { RuntimeHooks } from "../model/runtime-hooks.ts";
import { loadedTemplates } from "./engine.ts";
import { joinPath } from "../internal/join-path.ts";
import { normalizePath, pathStem, resolveEntry } from "./entry-path.ts";
import { usePrefix, type RunDraft } from "./run-draft.ts";
import { DEFAULT_PREFIX_TEMPLATE, RUN, RunConfig, RunDefaultsSchema, type RunDefaults, type RunParams } from "./run.ts";
import { webEntry, webUser } from "./web-context.ts";

function checkDefaults(): void {
  const fields: Record<string, unknown> = {};
  for (const k in RunDefaultsSchema.entries) fields[k] = RUN[k as keyof RunDefaults]; // RUN's own fields (now is a getter)
  const issue = RunDefaultsSchema.check(fields);
  if (issue === undefined) return;
  const path = `RUN.${dotPath(issue) ?? ""}`;
  throw new ValidationError(`Invalid ${path}: ${issue.message}`, { field: path });
}

/** The entry, project root and path stem (run.py:240-266), unless `pathStem` was given. */
function resolvePathStem(cfg: RunConfig, entry: string | URL | undefined, runtime: RuntimeHooks): void {
  const raw = entry ?? runtime.mainEntry?.() ?? webEntry();
  if (raw === undefined) return;
  const cwd = runtime.cwd?.();
  const loc = resolveEntry(raw, cwd);
  cfg.entry = loc.path;
  if (cfg.pathStem) return;
  let root = cfg.projectRoot;
  if (root !== undefined && !root.startsWith("/") && !/^[A-Za-z]:/.test(root) && cwd !== undefined) root = normalizePath(joinPath(cwd, root));
  root ??= (loc.kind === "file" ? runtime.findProjectRoot?.(loc.path) : undefined) ?? (loc.kind === "file" ? cwd : undefined) ?? "/";
  cfg.projectRoot = root;
  cfg.pathStem = pathStem(loc.path, root);
}

/**
 * What {@link resolveRun} returns: the experiment's run config and, once its templates are
 * expanded, its parsed prefix; until then the `draft` that `expandRun` finishes.
 */
export type ResolvedRun =
  | { readonly config: RunConfig; readonly parsed: ParsedPrefix; readonly draft?: undefined }
  | { readonly config: RunConfig; readonly parsed?: undefined; readonly draft: RunDraft };

/**
 * Builds one experiment's run config. `prefix` is the Experiment's prefix option; without one
 * the prefix is `run.prefix`, `RUN.prefix`, `ML_DASH_PREFIX`, `DASH_PREFIX`, then
 * {@link DEFAULT_PREFIX_TEMPLATE}. Takes the next job number: `RUN.jobCounter` goes up by one
 * once the entry is resolved, so a template error after that still uses a number, as in Python.
 * Throws `ValidationError` naming the field on a bad template or prefix. A prefix with a
 * template while the template code is not loaded (browsers) comes back as a `draft`: every
 * field is copied now, and only the expansion waits.
 */
export function resolveRun(prefix: string | undefined, params: RunParams | undefined, runtime: RuntimeHooks): ResolvedRun {
  checkDefaults();
  const p = params ?? {};
  const env = (name: string): string | undefined => runtime.env?.(name) || undefined;
  const cfg = new RunConfig();
  cfg.user = p.user ?? RUN.user ?? env("ML_DASH_USER") ?? env("USER") ?? webUser();
  cfg.project = p.project ?? RUN.project;
  cfg.readme = p.readme ?? RUN.readme;
  cfg.id = p.id !== undefined ? String(p.id) : RUN.id;
  cfg.now = p.now ?? RUN.now;
  cfg.projectRoot = p.projectRoot ?? RUN.projectRoot;
  cfg.pathStem = p.pathStem ?? RUN.pathStem;
  cfg.jobCounter = p.jobCounter ?? RUN.jobCounter;
  cfg.jobName = p.jobName ?? RUN.jobName;
  cfg.debug = RUN.debug;

  const sources: [string | undefined, string][] = [
    [prefix, "prefix"],
    [p.prefix, "run.prefix"],
    [RUN.prefix, "RUN.prefix"],
    [env("ML_DASH_PREFIX"), "ML_DASH_PREFIX"],
    [env("DASH_PREFIX"), "DASH_PREFIX"],
  ];
  const [source, prefixWhere] = sources.find(([s]) => s) ?? [DEFAULT_PREFIX_TEMPLATE, "prefix"];
  const templated = (source as string).includes("{");
  const engine = templated ? loadedTemplates() : undefined;
  // {EXP.attr} sees the fields before the entry is resolved (Python's order): now, or from a copy later.
  cfg.prefix = engine ? engine.expandExp(cfg, source as string, prefixWhere) : (source as string);
  const beforeEntry = Object.assign(new RunConfig(), cfg);

  resolvePathStem(cfg, p.entry ?? RUN.entry, runtime);
  RUN.jobCounter += 1;

  if (!templated) return { config: cfg, parsed: usePrefix(cfg, cfg.prefix, "prefix") };
  const draft: RunDraft = { config: cfg, beforeEntry, prefixWhere, params: p };
  return engine ? { config: cfg, parsed: usePrefix(cfg, engine.expandFields(draft), "prefix") } : { config: cfg, draft };
}

/**
 * Python's `exp.run.prefix = value` for a value with no template left (as given, or as the
 * template code expanded it): parses it and updates `cfg`; `cfg` is unchanged when this throws.
 */
export function setPlainPrefix(cfg: RunConfig, value: unknown): ParsedPrefix {
  if (typeof value !== "string") throw new ValidationError(`Invalid prefix: expected a string, got ${typeof value}`, { field: "prefix" });
  return usePrefix(cfg, value, "prefix");
}
