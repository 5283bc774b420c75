/**
 * SigV4 signing of the S3 client's requests, on aws4fetch's signer (Web Crypto HMAC-SHA256).
 *
 * Choices on top of aws4fetch's defaults, each matching the AWS SDKs:
 * - every header the request carries is signed (`allHeaders`), `range` and `content-type`
 *   included (aws4fetch leaves those out by default; AWS's S3 examples sign `range`);
 * - the payload is always declared in `x-amz-content-sha256`: the body's SHA-256 when we have the
 *   bytes (S3 then rejects a body altered on the way), the empty body's hash for requests without
 *   one. Never `UNSIGNED-PAYLOAD`, which would leave the body unprotected.
 *
 * The signing date is injectable so AWS's published test vectors can be checked exactly
 * (test/fixtures/sigv4).
 */
import { AwsV4Signer } from "aws4fetch";
import type { S3Credentials } from "./s3-config.ts";

/** SHA-256 of the empty string (the payload hash of a request without a body). */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** What to sign. */
export interface SignInput {
  readonly method: string;
  readonly url: URL | string;
  /** Headers to send (and sign); `host` comes from the URL. */
  readonly headers?: HeadersInit;
  /** Hex SHA-256 of the body, or `EMPTY_SHA256` (the default) when there is none. */
  readonly payloadSha256?: string;
}

/** How to sign. */
export interface SigningOptions {
  readonly credentials: S3Credentials;
  readonly region: string;
  /** The signing name of the service (`s3`; other names are for the generic test vectors). */
  readonly service?: string;
  /** The request time, `YYYYMMDDTHHMMSSZ` (default: now). */
  readonly datetime?: string;
  /**
   * Whether to put the payload hash into an `x-amz-content-sha256` header (default: for `s3`).
   * S3 requires the header; other services sign the hash without sending it.
   */
  readonly contentSha256Header?: boolean;
  /**
   * The URL's path is already in its canonical (once-encoded) form. aws4fetch re-encodes the path
   * of every service but S3; the generic test vectors (which write paths unencoded) need this.
   */
  readonly singleEncode?: boolean;
}

/** `YYYYMMDDTHHMMSSZ` of a date. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/** An aws4fetch signer set up as the S3 client signs (exposed for the test vectors). */
export function createSigner(input: SignInput, options: SigningOptions): AwsV4Signer {
  const service = options.service ?? "s3";
  const headers = new Headers(input.headers);
  const payload = input.payloadSha256 ?? EMPTY_SHA256;
  if (options.contentSha256Header ?? service === "s3") headers.set("x-amz-content-sha256", payload);
  const signer = new AwsV4Signer({
    method: input.method,
    url: input.url.toString(),
    headers,
    accessKeyId: options.credentials.accessKeyId,
    secretAccessKey: options.credentials.secretAccessKey,
    ...(options.credentials.sessionToken ? { sessionToken: options.credentials.sessionToken } : {}),
    service,
    region: options.region,
    ...(options.datetime ? { datetime: options.datetime } : {}),
    allHeaders: true,
    ...(options.singleEncode ? { singleEncode: true } : {}),
  });
  // Without the header aws4fetch would hash the body itself (which we never hand it): declare the hash.
  if (!headers.has("x-amz-content-sha256")) signer.hexBodyHash = async (): Promise<string> => payload;
  return signer;
}

/** Signs a request: the headers to send (Authorization, x-amz-date, x-amz-content-sha256, …). */
export async function signRequest(input: SignInput, options: SigningOptions): Promise<{ url: URL; headers: Headers }> {
  const signed = await createSigner(input, options).sign();
  return { url: signed.url, headers: signed.headers };
}
