/**
 * Experiment options checked at the constructor (valibot), so a wrong option fails at once with
 * a message that names it. The option types are in model/options.ts.
 */
import * as v from "valibot";
import { ValidationError } from "../errors.ts";
import { atLeast, fn, leaf, text } from "../internal/schema.ts";
import type { ExperimentOptions, TokenOption } from "../model/options.ts";
import { RunParamsSchema } from "../run-config/run.ts";
import type { StorageAdapter } from "../storage/contract.ts";

export type { ExperimentOptions, TokenOption } from "../model/options.ts";



const isAdapter = (x: unknown): boolean => {
  if (x === null || typeof x !== "object") return false;
  const a = x as Record<string, unknown>;
  return ["read", "readRange", "stat", "write", "append", "list", "delete", "deletePrefix", "close"].every((m) => typeof a[m] === "function");
};

const strings = v.array(text);

const BufferSchema = v.strictObject({
  flushIntervalMs: v.optional(atLeast(1)),
  maxBatch: v.optional(atLeast(1, true)),
  maxQueueBytes: v.optional(atLeast(1024)),
  onDrop: v.optional(fn),
  onFull: v.optional(leaf<"block" | "drop">('"block" or "drop"', (x) => x === "block" || x === "drop")),
});

const RemoteSchema = v.strictObject({
  timeoutMs: v.optional(atLeast(1)),
  retries: v.optional(atLeast(0, true)),
  backoffMs: v.optional(atLeast(0)),
  maxBackoffMs: v.optional(atLeast(0)),
  wire: v.optional(leaf<"msgpack" | "json">('"msgpack" or "json"', (x) => x === "msgpack" || x === "json")),
});

const isUrl = (x: unknown): boolean => {
  try {
    return typeof x === "string" && new URL(x) !== undefined;
  } catch {
    return false;
  }
};

const OptionsSchema = v.strictObject({
  prefix: v.optional(text),
  readme: v.optional(text),
  description: v.optional(text),
  tags: v.optional(strings),
  bindrs: v.optional(strings),
  metadata: v.optional(leaf<Record<string, unknown>>("an object", (x) => typeof x === "object" && x !== null)),
  storage: v.optional(v.custom<StorageAdapter | null>((x) => x === null || isAdapter(x), "must be a storage adapter (read, write, append, list, …)")),
  dashRoot: v.optional(leaf<string | null>("a non-empty string or null", (x) => x === null || (typeof x === "string" && x !== ""))),
  dashUrl: v.optional(leaf<string | true>('true or a URL like "https://api.dash.ml"', (x) => x === true || isUrl(x))),
  token: v.optional(leaf<TokenOption>("a string or a function", (x) => typeof x === "string" || typeof x === "function")),
  fetch: v.optional(fn),
  buffer: v.optional(BufferSchema),
  remote: v.optional(RemoteSchema),
  onError: v.optional(fn),
  echo: v.optional(leaf<boolean>("a boolean", (x) => typeof x === "boolean")),
  run: v.optional(RunParamsSchema),
  files: v.optional(v.strictObject({ maxBytes: v.optional(atLeast(0, true)) })),
});

/** Validates options; throws {@link ValidationError} naming the first bad option. */
export function validateOptions(options: unknown): ExperimentOptions {
  const r = v.safeParse(OptionsSchema, options);
  if (r.success) return options as ExperimentOptions;
  const issue = r.issues[0];
  const path = v.getDotPath(issue) ?? "options";
  let message: string;
  if (issue.type === "strict_object" && issue.expected === "never") message = `Unknown experiment option "${path}"`;
  else if (path === "token") message = `Invalid experiment option "token": it must be a string or a function returning one`; // never echo a token
  else message = `Invalid experiment option "${path}": ${issue.message}`;
  throw new ValidationError(message, { field: path });
}
