/**
 * The one error hierarchy of ml-dash. Every error the SDK throws or reports is an
 * {@link MlDashError}; `instanceof` on a subclass tells what went wrong, `code` names the case
 * for programs, and `cause` carries the underlying error where there is one.
 *
 * Messages start with what failed, then say what to do.
 */

/** Options accepted by every ml-dash error. */
export interface MlDashErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** A stable, machine-readable name for the case (e.g. `"NOT_FOUND"`). */
  code?: string;
}

/** Base class of every error raised by ml-dash. */
export class MlDashError extends Error {
  /** A stable, machine-readable name for the case. */
  readonly code: string;

  constructor(message: string, options: MlDashErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? "ML_DASH_ERROR";
  }
}

/** Bad input at the call site: a prefix, a value, a name, an option. `field` names what was wrong. */
export class ValidationError extends MlDashError {
  /** The key, option or argument that was rejected (dot path for nested values). */
  readonly field: string | undefined;

  constructor(message: string, options: MlDashErrorOptions & { field?: string } = {}) {
    super(message, { code: "VALIDATION", ...options });
    this.field = options.field;
  }
}

/** The write API was used before `exp.run.start()` or after the run ended. */
export class ExperimentNotStartedError extends MlDashError {
  constructor(message: string, options: MlDashErrorOptions = {}) {
    super(message, { code: "NOT_STARTED", ...options });
  }
}

/**
 * Throws the {@link ExperimentNotStartedError} for a call outside an open run: `where` names the
 * call, `started` says whether the run ended (rather than never started).
 */
export function notWritable(where: string, started: boolean, readOnly = false): never {
  throw new ExperimentNotStartedError(
    readOnly
      ? `${where} was called on a run opened read-only (exp.run.open()); call await exp.run.start() to write to it`
      : started
      ? `${where} was called after the run ended; start it again with await exp.run.start() to resume it`
      : `${where} was called before the run started; call await exp.run.start() or use exp.run(async (exp) => …) first`,
  );
}

/** The local store failed: an adapter error, a corrupt record, a lost write. */
export class StorageError extends MlDashError {
  constructor(message: string, options: MlDashErrorOptions = {}) {
    super(message, { code: "STORAGE", ...options });
  }
}

/** What was asked for does not exist: a metric, a file, a track entry before a time. */
export class NotFoundError extends StorageError {
  constructor(message: string, options: MlDashErrorOptions = {}) {
    super(message, { code: "NOT_FOUND", ...options });
  }
}

/** Buffered data could not be kept (the queue overflowed its byte bound). */
export class DataLossError extends StorageError {
  /** How many records were dropped. */
  readonly dropped: number;

  constructor(message: string, dropped: number, options: MlDashErrorOptions = {}) {
    super(message, { code: "DATA_LOSS", ...options });
    this.dropped = dropped;
  }
}

/**
 * A write conflicts with what is stored (the server answers 409): the caller should look at
 * what is there and retry accordingly.
 */
export class ConflictError extends MlDashError {
  constructor(message: string, options: MlDashErrorOptions = {}) {
    super(message, { code: "CONFLICT", ...options });
  }
}

/**
 * A positioned batch starts after the end of its stream, so storing it would leave a gap. The
 * stream is unchanged; resend from {@link StreamGapError.nextIndex}.
 */
export class StreamGapError extends ConflictError {
  /** Where the stream ends: the position the next batch must start at. */
  readonly nextIndex: number;

  constructor(message: string, nextIndex: number, options: MlDashErrorOptions = {}) {
    super(message, { code: "STREAM_GAP", ...options });
    this.nextIndex = nextIndex;
  }
}

/** The server answered with an error status. */
export class RemoteError extends MlDashError {
  /** HTTP status code. */
  readonly status: number;
  /** The response body (parsed JSON when it was JSON, else text). */
  readonly body: unknown;

  constructor(message: string, status: number, body: unknown, options: MlDashErrorOptions = {}) {
    super(message, { code: `HTTP_${status}`, ...options });
    this.status = status;
    this.body = body;
  }
}

/** The server could not be reached (connection refused, reset, timeout, DNS). */
export class NetworkError extends MlDashError {
  constructor(message: string, options: MlDashErrorOptions = {}) {
    super(message, { code: "NETWORK", ...options });
  }
}

/** No token, or the server refused it. Messages never contain the token. */
export class AuthenticationError extends MlDashError {
  constructor(message: string, options: MlDashErrorOptions = {}) {
    super(message, { code: "AUTHENTICATION", ...options });
  }
}

/** The SDK is set up in a way that cannot work (missing storage, contradictory options). */
export class ConfigurationError extends MlDashError {
  constructor(message: string, options: MlDashErrorOptions = {}) {
    super(message, { code: "CONFIGURATION", ...options });
  }
}

/** Wraps anything thrown by an adapter into a {@link StorageError} that names the operation. */
export function storageError(operation: string, key: string, cause: unknown): StorageError {
  if (cause instanceof MlDashError) return cause as StorageError;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StorageError(`Storage ${operation} failed for "${key}": ${reason}`, { cause });
}
