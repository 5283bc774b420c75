/**
 * One experiment's run config, built the way ML-Dash Python's `RUN(...)` builds it
 * (run.py `__post_init__` and `__setattr__`): copy the defaults and the run parameters, expand
 * `{EXP.attr}` in the prefix, find the entry's `pathStem`, take a job number, expand `{field}`
 * templates in up to 10 passes, then parse the prefix.
 */
import * as v from "valibot";
import { ValidationError } from "../errors.ts";
import { parsePrefix, type ParsedPrefix } from "../model/prefix.ts";
import type { RuntimeHooks } from "../model/runtime-hooks.ts";
import { joinPath, normalizePath, pathStem, resolveEntry } from "./entry-path.ts";
import type { TemplateValue } from "./format-spec.ts";
import { DEFAULT_PREFIX_TEMPLATE, RUN, RunConfig, RunDefaultsSchema, type RunDefaults, type RunParams } from "./run.ts";
import { generateSnowflakeId } from "./snowflake.ts";
import { expandExpFields, pyFormat, templateFailure, type FieldLookup } from "./template.ts";
import { webEntry, webUser } from "./web-context.ts";

/** Python's snake_case names, so templates written for ML-Dash Python work unchanged. */
const ALIASES: Record<string, keyof RunConfig> = {
  project_root: "projectRoot",
  path_stem: "pathStem",
  job_counter: "jobCounter",
  job_name: "jobName",
  datetime_str: "datetimeStr",
};

/** The fields `{x}` can name, in Python's attribute order (a pass rewrites them in this order). */
const FIELDS = ["user", "project", "prefix", "readme", "id", "now", "timestamp", "projectRoot", "entry", "pathStem", "jobCounter", "jobName", "debug", "owner", "name"] as const;
type Field = (typeof FIELDS)[number];
const FIELD_SET = new Set<string>(FIELDS);
const MAX_PASSES = 10;

const canonical = (name: string): string => ALIASES[name] ?? name;

/** `{x}` lookup: instance fields only, as in Python (`date` and `datetimeStr` are `{EXP.…}` only). */
function fieldLookup(cfg: RunConfig): FieldLookup {
  return (name) => {
    const key = canonical(name);
    return FIELD_SET.has(key) ? { found: true, value: cfg[key as Field] as TemplateValue } : { found: false };
  };
}

function keyHint(key: string): string {
  const k = canonical(key);
  if (k === "date" || k === "datetimeStr") return `; ${key} is a property: use {EXP.${key}} or {now:%Y%m%d}`;
  return `; fields: ${FIELDS.join(", ")} (snake_case names work too)`;
}

/** `getattr(run, name)` for `{EXP.name}`: generates the id on first use, as Python does. */
function expAttr(cfg: RunConfig, name: string): TemplateValue {
  const key = canonical(name);
  if (key === "id" && !cfg.id) cfg.id = generateSnowflakeId();
  if (key === "date" || key === "datetimeStr") return cfg[key];
  return FIELD_SET.has(key) ? (cfg[key as Field] as TemplateValue) : undefined;
}

function expandPrefixTemplate(cfg: RunConfig, value: string, where: string): string {
  let out = value;
  for (let pass = 0; pass < MAX_PASSES && out.includes("{"); pass++) {
    try {
      out = pyFormat(out, fieldLookup(cfg));
    } catch (err) {
      templateFailure(err, where, out, keyHint);
    }
  }
  return out;
}

function assertExpanded(prefix: string, where: string): void {
  if (prefix.includes("{")) {
    throw new ValidationError(`Invalid template in ${where}: ${JSON.stringify(prefix)} still holds a template after ${MAX_PASSES} passes (does a field refer to itself?)`, { field: where });
  }
}

/** Owner, project and name from the parsed prefix (Python re-parses only with 2+ segments). */
function applyParsed(cfg: RunConfig, parsed: ParsedPrefix): void {
  if (parsed.segments.length >= 2) {
    cfg.owner = parsed.owner;
    cfg.project = parsed.project;
  }
  cfg.name = parsed.name;
}

function checkDefaults(): void {
  const fields: Record<string, unknown> = {};
  for (const k in RunDefaultsSchema.entries) fields[k] = RUN[k as keyof RunDefaults]; // RUN's own fields (now is a getter)
  const r = v.safeParse(RunDefaultsSchema, fields);
  if (r.success) return;
  const path = `RUN.${v.getDotPath(r.issues[0]) ?? ""}`;
  throw new ValidationError(`Invalid ${path}: ${r.issues[0].message}`, { field: path });
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

/** What {@link resolveRun} returns: the experiment's run config and its parsed prefix. */
export interface ResolvedRun {
  readonly config: RunConfig;
  readonly parsed: ParsedPrefix;
}

/**
 * Builds one experiment's run config. `prefix` is the Experiment's prefix option; without one
 * the prefix is `run.prefix`, `RUN.prefix`, `ML_DASH_PREFIX`, `DASH_PREFIX`, then
 * {@link DEFAULT_PREFIX_TEMPLATE}. Takes the next job number: `RUN.jobCounter` goes up by one
 * once the entry is resolved, so a template error after that still uses a number, as in Python.
 * Throws `ValidationError` naming the field on a bad template or prefix.
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
  const where = (key: keyof RunParams): string => (p[key] !== undefined ? `run.${key}` : `RUN.${key}`);

  const sources: [string | undefined, string][] = [
    [prefix, "prefix"],
    [p.prefix, "run.prefix"],
    [RUN.prefix, "RUN.prefix"],
    [env("ML_DASH_PREFIX"), "ML_DASH_PREFIX"],
    [env("DASH_PREFIX"), "DASH_PREFIX"],
  ];
  const [source, prefixWhere] = sources.find(([s]) => s) ?? [DEFAULT_PREFIX_TEMPLATE, "prefix"];
  cfg.prefix = expandExpFields(source as string, (n) => expAttr(cfg, n), prefixWhere);

  resolvePathStem(cfg, p.entry ?? RUN.entry, runtime);
  RUN.jobCounter += 1;

  for (let pass = 0; pass < MAX_PASSES && cfg.prefix.includes("{"); pass++) {
    const lookup = fieldLookup(cfg);
    for (const key of FIELDS) {
      const value = cfg[key];
      if (typeof value !== "string" || !value.includes("{")) continue;
      try {
        (cfg as unknown as Record<Field, string>)[key] = pyFormat(value, lookup);
      } catch (err) {
        templateFailure(err, key === "prefix" ? prefixWhere : where(key as keyof RunParams), value, keyHint);
      }
    }
  }
  assertExpanded(cfg.prefix, prefixWhere);
  const parsed = parsePrefix(cfg.prefix, "prefix");
  applyParsed(cfg, parsed);
  return { config: cfg, parsed };
}

/**
 * Python's `exp.run.prefix = value`: expands `{EXP.attr}` (`{EXP.name}` is the current name,
 * `{EXP.id}` a new snowflake id) and then `{field}` templates, parses the result and updates
 * `cfg`. Returns the parsed prefix; `cfg` is unchanged when this throws (except a generated id).
 */
export function setRunPrefix(cfg: RunConfig, value: unknown): ParsedPrefix {
  if (typeof value !== "string") throw new ValidationError(`Invalid prefix: expected a string, got ${typeof value}`, { field: "prefix" });
  const expanded = expandPrefixTemplate(cfg, expandExpFields(value, (n) => expAttr(cfg, n), "prefix"), "prefix");
  assertExpanded(expanded, "prefix");
  const parsed = parsePrefix(expanded, "prefix");
  cfg.prefix = expanded;
  applyParsed(cfg, parsed);
  return parsed;
}
