/**
 * The prefix templates of ML-Dash Python's `RUN` (run.py `__post_init__` and `__setattr__`):
 * `{EXP.attr}`, then `{field}` templates in up to 10 passes over every field. With the format
 * mini-language, strftime and snowflake ids behind it, this is the bulk of the run-config code,
 * so browsers load it only when a prefix holds a template (`engine.ts`).
 */
import { ValidationError } from "../errors.ts";
import type { RunParams } from "../model/run-params.ts";
import type { TemplateValue } from "./format-spec.ts";
import type { RunDraft } from "./run-draft.ts";
import type { RunConfig } from "./run.ts";
import { generateSnowflakeId } from "./snowflake.ts";
import { expandExpFields, pyFormat, templateFailure, type FieldLookup } from "./template.ts";

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

/** `{EXP.attr}` in a prefix, looked up in `cfg` (Python expands these first, before the entry is resolved). */
export function expandExp(cfg: RunConfig, value: string, where: string): string {
  return expandExpFields(value, (n) => expAttr(cfg, n), where);
}

/**
 * The `{field}` passes of Python's `RUN.__post_init__`: while the prefix holds a template, every
 * field is formatted against the others (up to 10 passes). Returns the expanded prefix (the
 * caller parses it); throws `ValidationError` naming where the failing template came from.
 */
export function expandFields(draft: RunDraft): string {
  const { config: cfg, prefixWhere, params } = draft;
  const where = (key: keyof RunParams): string => (params[key] !== undefined ? `run.${key}` : `RUN.${key}`);
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
  return cfg.prefix;
}

/**
 * A deferred draft, expanded once this code has loaded: `{EXP.attr}` against the fields as they
 * were before the entry was resolved ({@link RunDraft.beforeEntry}), then {@link expandFields}.
 */
export function expandRun(draft: RunDraft): string {
  const { config: cfg, beforeEntry } = draft;
  cfg.prefix = expandExp(beforeEntry, cfg.prefix, draft.prefixWhere);
  cfg.id = beforeEntry.id; // an {EXP.id} generated one
  return expandFields(draft);
}

/**
 * Python's `exp.run.prefix = value`: expands `{EXP.attr}` (`{EXP.name}` is the current name,
 * `{EXP.id}` a new snowflake id) and then `{field}` templates. Returns the expanded prefix for
 * the caller to parse into `cfg`; `cfg` is unchanged (except a generated id).
 */
export function expandNewPrefix(cfg: RunConfig, value: string): string {
  const expanded = expandPrefixTemplate(cfg, expandExp(cfg, value, "prefix"), "prefix");
  assertExpanded(expanded, "prefix");
  return expanded;
}

/** The template code as one object, for `engine.ts` to hand out once it is loaded. */
export const templateEngine = { expandExp, expandFields, expandRun, expandNewPrefix } as const;
