/**
 * What one S3 request is, and the transport the multipart upload needs from the client (so
 * s3-multipart.ts and s3.ts do not import each other).
 */
import type { Sha256 } from "../../../files/sha256.ts";
import type { Redact } from "./secrets.ts";

/** The result of a put. */
export interface S3PutResult {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  /** Hex SHA-256 of the bytes stored. */
  readonly sha256: string;
}

/** A request as the client sends it. */
export interface S3Request {
  readonly operation: string;
  readonly method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  /** Relative to the prefix; undefined for a bucket request. */
  readonly key?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  /** Hex SHA-256 of the body (computed when absent). */
  readonly payloadSha256?: string;
  /** Whether a failure may be retried (default: true for all but POST). */
  readonly idempotent?: boolean;
  /** Answer a 404 instead of throwing (HEAD: "is it there?"). */
  readonly allow404?: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** The part of the S3 client that streamed uploads use. */
export interface S3Transport {
  /** Sends one signed request (retried when idempotent); throws a typed error on failure. */
  send(request: S3Request): Promise<Response>;
  /** The incremental SHA-256 for streamed uploads. */
  readonly sha256: () => Sha256;
  /** `s3://bucket/prefix/key` of a key. */
  uri(key: string): string;
  /** Hides the credentials in messages. */
  readonly redact: Redact;
}
