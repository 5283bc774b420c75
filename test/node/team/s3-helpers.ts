/** Shared pieces of the S3 tests: a client on s3rver, a recording fetch, streams of known bytes. */
import { createHash } from "node:crypto";
import { S3Client, type S3ClientOptions } from "../../../src/server/stores/team/s3.ts";
import { s3ConfigFromEnv } from "../../../src/server/stores/team/s3-config.ts";
import type { TestS3 } from "../../support/s3rver.ts";

/** A secret that must never appear in an error (s3rver does not check it). */
export const SECRET = "wJalrXUtnFEMI-K7MDENG-SECRET-do-not-print";
/** A session token that must never appear in an error either. */
export const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE-SESSION-TOKEN-do-not-print";

/** A client for `s3://bucket/prefix` on the test server, configured through the AWS environment. */
export function clientFor(s3: TestS3, url: string, options: S3ClientOptions = {}, env: Record<string, string> = {}): S3Client {
  const config = s3ConfigFromEnv(url, {
    AWS_ENDPOINT_URL: s3.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_SESSION_TOKEN: TOKEN,
    ...env,
  });
  return new S3Client(config, options);
}

/** One request as the recording fetch saw it. */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
}

/**
 * The global fetch, recording each request; `fault(request, n)` may answer instead (a Response,
 * or throw for a network error) — n counts requests so far.
 */
export function recordingFetch(fault?: (req: SeenRequest, n: number) => Response | undefined): { fetch: typeof fetch; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const req = { method: init?.method ?? "GET", url, headers: new Headers(init?.headers) };
    seen.push(req);
    const injected = fault?.(req, seen.length);
    if (injected) return injected;
    return fetch(input, init);
  }) as typeof fetch;
  return { fetch: f, seen };
}

/** Deterministic pseudo-random bytes (xorshift), so a failure can be reproduced. */
export function bytesOf(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A stream of `data` in chunks of the given sizes (cycled), optionally erroring after `failAfter` bytes. */
export function streamOf(data: Uint8Array, chunkSizes: number[], failAfter?: number): ReadableStream<Uint8Array> {
  let offset = 0;
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && offset >= failAfter) {
        controller.error(new Error("the source broke after " + offset + " bytes"));
        return;
      }
      if (offset >= data.length) {
        controller.close();
        return;
      }
      const n = chunkSizes[i++ % chunkSizes.length] as number;
      controller.enqueue(data.slice(offset, offset + n));
      offset += n;
    },
  });
}

/** Hex SHA-256 by node:crypto (the reference the client's streamed hash is checked against). */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
