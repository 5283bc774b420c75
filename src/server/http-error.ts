/**
 * Errors the server answers with: a status, a message that says what was wrong and what to do,
 * and optional fields (`field` names the offending body field; `nextIndex` tells a client where
 * a stream ends after a 409).
 */
import * as v from "valibot";
import { MlDashError, NotFoundError, StorageError, ValidationError } from "../errors.ts";

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

/** Parses `value` with `schema` or throws a 400 naming the first bad field. */
export function check<S extends v.GenericSchema>(schema: S, value: unknown, what: string): v.InferOutput<S> {
  const r = v.safeParse(schema, value);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const field = v.getDotPath(issue) ?? undefined;
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
  if (err instanceof StorageError && err.code === "INVALID_KEY") return { status: 400, body: { error: err.message } };
  if (err instanceof MlDashError) return { status: 500, body: { error: err.message } };
  return { status: 500, body: { error: "Internal server error" } };
}
