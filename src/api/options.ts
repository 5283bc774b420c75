/**
 * Experiment options checked at the constructor (internal/schema.ts), so a wrong option fails at once with
 * a message that names it. The option types are in model/options.ts.
 */
import { ValidationError } from "../errors.ts";
import { array, atLeast, custom, dotPath, fn, leaf, optional, strictObject, text } from "../internal/schema.ts";
import type { ExperimentOptions, TokenOption } from "../model/options.ts";
import { RunParamsSchema } from "../run-config/run.ts";
import type { StorageAdapter } from "../storage/contract.ts";

export type { ExperimentOptions, TokenOption } from "../model/options.ts";



const isAdapter = (x: unknown): boolean => {
  if (x === null || typeof x !== "object") return false;
  const a = x as Record<string, unknown>;
  return ["read", "readRange", "stat", "write", "append", "list", "delete", "deletePrefix", "close"].every((m) => typeof a[m] === "function");
};

const strings = array(text);

const BufferSchema = strictObject({
  flushIntervalMs: optional(atLeast(1)),
  maxBatch: optional(atLeast(1, true)),
  maxQueueBytes: optional(atLeast(1024)),
  onDrop: optional(fn),
  onFull: optional(leaf<"block" | "drop">('"block" or "drop"', (x) => x === "block" || x === "drop")),
});

const RemoteSchema = strictObject({
  timeoutMs: optional(atLeast(1)),
  retries: optional(atLeast(0, true)),
  backoffMs: optional(atLeast(0)),
  maxBackoffMs: optional(atLeast(0)),
  wire: optional(leaf<"msgpack" | "json">('"msgpack" or "json"', (x) => x === "msgpack" || x === "json")),
});

const isUrl = (x: unknown): boolean => {
  try {
    return typeof x === "string" && new URL(x) !== undefined;
  } catch {
    return false;
  }
};

const OptionsSchema = strictObject({
  prefix: optional(text),
  readme: optional(text),
  description: optional(text),
  tags: optional(strings),
  bindrs: optional(strings),
  metadata: optional(leaf<Record<string, unknown>>("an object", (x) => typeof x === "object" && x !== null)),
  storage: optional(custom<StorageAdapter | null>((x) => x === null || isAdapter(x), "must be a storage adapter (read, write, append, list, …)")),
  dashRoot: optional(leaf<string | null>("a non-empty string or null", (x) => x === null || (typeof x === "string" && x !== ""))),
  dashUrl: optional(leaf<string | true>('true or a URL like "https://api.dash.ml"', (x) => x === true || isUrl(x))),
  token: optional(leaf<TokenOption>("a string or a function", (x) => typeof x === "string" || typeof x === "function")),
  fetch: optional(fn),
  buffer: optional(BufferSchema),
  remote: optional(RemoteSchema),
  onError: optional(fn),
  echo: optional(leaf<boolean>("a boolean", (x) => typeof x === "boolean")),
  run: optional(RunParamsSchema),
  files: optional(strictObject({ maxBytes: optional(atLeast(0, true)) })),
});

/** Validates options; throws {@link ValidationError} naming the first bad option. */
export function validateOptions(options: unknown): ExperimentOptions {
  const issue = OptionsSchema.check(options);
  if (issue === undefined) return options as ExperimentOptions;
  const path = dotPath(issue) ?? "options";
  let message: string;
  if (issue.unknownKey) message = `Unknown experiment option "${path}"`;
  else if (path === "token") message = `Invalid experiment option "token": it must be a string or a function returning one`; // never echo a token
  else message = `Invalid experiment option "${path}": ${issue.message}`;
  throw new ValidationError(message, { field: path });
}
