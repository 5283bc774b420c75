/**
 * Errors the server answers with: a status, a message that says what was wrong and what to do,
 * and optional fields (`field` names the offending body field; `nextIndex` tells a client where
 * a stream ends after a 409). Stores throw the SDK's errors; {@link toHttp} maps them to statuses.
 */
import * as v from "valibot";
import { scrubPaths } from "../internal/scrub.ts";
import { ConflictError, MlDashError, NotFoundError, StorageError, StreamGapError, ValidationError } from "../errors.ts";

/** An error with an HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A 400 that names the field. */
export function badRequest(message: string, field?: string): HttpError {
  return new HttpError(400, message, field === undefined ? {} : { field });
}

/**
 * Parses `value` with `schema` or throws a 400 naming the first bad field (under `at`, the dot
 * path of `value` in the body, when it is part of one).
 */
export function check<S extends v.GenericSchema>(schema: S, value: unknown, what: string, at?: string): v.InferOutput<S> {
  const r = v.safeParse(schema, value);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const inner = v.getDotPath(issue) ?? undefined;
  const field = at === undefined ? inner : inner === undefined ? at : `${at}.${inner}`;
  const where = field ? `"${field}"` : "the body";
  let message = issue.message;
  if (issue.type === "strict_object" && issue.expected === "never") message = "is not a known field";
  throw badRequest(`Invalid ${what}: ${where} ${message.startsWith("Invalid") ? `is invalid (${message})` : message}`, field ?? undefined);
}

/** Maps anything thrown by a handler onto a status and an answer body. */
export function toHttp(err: unknown): { status: number; body: Record<string, unknown> } {
  if (err instanceof HttpError) return { status: err.status, body: { error: err.message, ...err.extra } };
  if (err instanceof ValidationError) return { status: 400, body: { error: err.message, ...(err.field ? { field: err.field } : {}) } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: err.message } };
  if (err instanceof StreamGapError) return { status: 409, body: { error: err.message, nextIndex: err.nextIndex } };
  if (err instanceof ConflictError) return { status: 409, body: { error: err.message } };
  if (err instanceof StorageError && err.code === "INVALID_KEY") return { status: 400, body: { error: err.message } };
  if (err instanceof MlDashError) return { status: 500, body: { error: scrubPaths(err.message) } };
  return { status: 500, body: { error: "Internal server error" } };
}

/** The client went away while its request body was being read (the server answers nobody). */
export class ClientGoneError extends Error {
  constructor(message = "The client closed the connection before the request body ended") {
    super(message);
  }
}

/** Whether `err` says the client went away mid-body (ours, or the host's reset or abort). */
export function clientGone(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ClientGoneError) return true;
    const code = (e as { code?: unknown }).code;
    if (code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE" || (e as { name?: unknown }).name === "AbortError") return true;
  }
  return false;
}

/** The first error of `err`'s cause chain that is an instance of `type`. */
export function causeOf<T>(err: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof type) return e;
  }
  return undefined;
}
