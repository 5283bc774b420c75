/**
 * S3 answers and transport failures as ml-dash's typed errors. Each message names the operation
 * and the object (`s3://bucket/key`), says what to do, and never carries a secret: S3's own
 * message is passed through the store's redactor, and causes are rebuilt without the request.
 *
 * | S3 says | error | code |
 * |---|---|---|
 * | NoSuchKey (404) | NotFoundError | NOT_FOUND |
 * | NoSuchBucket (404) | ConfigurationError | S3_NO_SUCH_BUCKET |
 * | AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, expired/invalid token, clock skew (403) | AuthenticationError | S3_ACCESS_DENIED, S3_INVALID_ACCESS_KEY, S3_SIGNATURE_MISMATCH, S3_EXPIRED_TOKEN, S3_CLOCK_SKEW |
 * | a bucket in another region (301, or 400 naming the region) | ConfigurationError | S3_WRONG_REGION |
 * | InvalidRange (416) | ValidationError (field `range`) | VALIDATION |
 * | 5xx, 429 (after retries) | StorageError | S3_UNAVAILABLE |
 * | anything else | StorageError | S3_<Code> |
 * | no answer (refused, DNS, reset, timeout) | NetworkError | S3_UNREACHABLE, S3_TIMEOUT |
 */
import { AuthenticationError, ConfigurationError, MlDashError, NetworkError, NotFoundError, StorageError, ValidationError } from "../../../errors.ts";
import { errorCode, safeCause, type Redact } from "./secrets.ts";
import { xmlRoot, xmlText } from "./s3-xml.ts";

/** What was being done, for messages. */
export interface S3ErrorContext {
  /** e.g. "GET", "PUT", "list", "multipart upload". */
  readonly operation: string;
  readonly bucket: string;
  /** The full object key ("" for a bucket operation). */
  readonly key: string;
  /** The service, for messages (endpoint or "AWS S3 (region)"). */
  readonly service: string;
  readonly redact: Redact;
}

/** The parts of an S3 error document we use. */
export interface S3ErrorBody {
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly region: string | undefined;
}

/** Reads an S3 `<Error>` document (undefined when the text is not one). */
export function parseS3Error(text: string): S3ErrorBody | undefined {
  if (xmlRoot(text) !== "Error") return undefined;
  return { code: xmlText(text, "Code"), message: xmlText(text, "Message"), region: xmlText(text, "Region") };
}

function where(ctx: S3ErrorContext): string {
  return ctx.key === "" ? `s3://${ctx.bucket}` : `s3://${ctx.bucket}/${ctx.key}`;
}

/** The error for an S3 answer that is not a success. */
export function s3ResponseError(ctx: S3ErrorContext, status: number, headers: Headers, bodyText: string): MlDashError {
  const parsed = parseS3Error(bodyText);
  // HEAD answers carry no body: some services name the error in a header.
  const code = parsed?.code ?? headers.get("x-amz-error-code") ?? headers.get("x-minio-error-code") ?? undefined;
  const s3Message = ctx.redact(parsed?.message ?? headers.get("x-amz-error-message") ?? "");
  const said = `${status}${code ? ` ${code}` : ""}${s3Message ? `: ${s3Message}` : ""}`;
  const target = where(ctx);
  const op = `S3 ${ctx.operation} ${target}`;
  const cause = safeCause(new Error(`S3 answered ${said}`), ctx.redact);
  const opts = (c: string): { code: string; cause: unknown } => ({ code: c, cause });
  const region = parsed?.region ?? headers.get("x-amz-bucket-region") ?? undefined;

  if (code === "NoSuchBucket" || (status === 404 && ctx.key === "" && !code)) {
    return new ConfigurationError(
      `${op} failed: the bucket "${ctx.bucket}" does not exist at ${ctx.service}. Create it (e.g. \`aws s3 mb s3://${ctx.bucket}\`) or fix the bucket in the s3:// URL`,
      opts("S3_NO_SUCH_BUCKET"),
    );
  }
  if (code === "NoSuchKey" || (status === 404 && !code)) {
    return new NotFoundError(`${op} failed: no such object ${target}`, { cause });
  }
  if (code === "NoSuchUpload") {
    return new StorageError(`${op} failed: the multipart upload no longer exists (aborted, completed, or expired by a lifecycle rule)`, opts("S3_NO_SUCH_UPLOAD"));
  }
  if (status === 301 || code === "PermanentRedirect" || code === "AuthorizationHeaderMalformed" || code === "IllegalLocationConstraintException") {
    return new ConfigurationError(
      `${op} failed: the bucket "${ctx.bucket}" is in ${region ? `region ${region}` : "another region"}. Set AWS_REGION${region ? `=${region}` : ""} (or AWS_ENDPOINT_URL for a non-AWS service)`,
      opts("S3_WRONG_REGION"),
    );
  }
  if (code === "InvalidAccessKeyId") {
    return new AuthenticationError(
      `${op} failed: ${ctx.service} does not know the access key id. Check AWS_ACCESS_KEY_ID (and that the key belongs to this endpoint)`,
      opts("S3_INVALID_ACCESS_KEY"),
    );
  }
  if (code === "SignatureDoesNotMatch") {
    return new AuthenticationError(`${op} failed: the signature does not match. Check AWS_SECRET_ACCESS_KEY (and AWS_REGION)`, opts("S3_SIGNATURE_MISMATCH"));
  }
  if (code === "ExpiredToken" || code === "TokenRefreshRequired" || code === "InvalidToken") {
    return new AuthenticationError(`${op} failed: the session token is ${code === "InvalidToken" ? "invalid" : "expired"}. Renew the temporary credentials (AWS_SESSION_TOKEN)`, opts("S3_EXPIRED_TOKEN"));
  }
  if (code === "RequestTimeTooSkewed") {
    return new AuthenticationError(`${op} failed: this machine's clock differs from the service's by more than 15 minutes. Synchronise it (NTP)`, opts("S3_CLOCK_SKEW"));
  }
  if (status === 403 || code === "AccessDenied" || code === "AllAccessDisabled") {
    return new AuthenticationError(
      `${op} failed: access denied. Grant these credentials s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on ${where({ ...ctx, key: "" })}${ctx.key ? "/*" : ""} (or fix the bucket policy)`,
      opts("S3_ACCESS_DENIED"),
    );
  }
  if (status === 416 || code === "InvalidRange") {
    return new ValidationError(`${op} failed: the byte range is outside the object`, { field: "range", cause });
  }
  if (status >= 500 || status === 429 || code === "SlowDown") {
    return new StorageError(`${op} failed: the service is unavailable (${said}). Try again later`, opts("S3_UNAVAILABLE"));
  }
  return new StorageError(`${op} failed: ${said}`, opts(`S3_${code ?? `HTTP_${status}`}`));
}

/** The error for a request that got no answer. */
export function s3NetworkError(ctx: S3ErrorContext, cause: unknown): MlDashError {
  if (cause instanceof MlDashError) return cause;
  const code = errorCode(cause);
  const timeout = code === "TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "ETIMEDOUT";
  const what = timeout ? "did not answer in time" : `could not be reached${code ? ` (${code})` : ""}`;
  return new NetworkError(
    `S3 ${ctx.operation} ${where(ctx)} failed: ${ctx.service} ${what}. Check AWS_ENDPOINT_URL / AWS_REGION and that the service is running and reachable from here`,
    { code: timeout ? "S3_TIMEOUT" : "S3_UNREACHABLE", cause: safeCause(cause, ctx.redact) },
  );
}
