/**
 * A small S3 client for the team store: the operations it needs, signed with SigV4 (aws4fetch),
 * over `fetch` and Web Crypto only, so it runs on Node, Deno, Bun and Workers, against AWS S3,
 * Cloudflare R2, MinIO, Ceph RGW or any S3-compatible service.
 *
 * Keys given to the client are relative to the configured prefix (`s3://bucket/prefix/`);
 * messages name the full `s3://bucket/prefix/key`. Every upload carries its body's SHA-256 in
 * the signature (`x-amz-content-sha256`), so the service rejects bytes altered on the way.
 *
 * Idempotent requests (GET, HEAD, PUT, DELETE, multi-delete) are retried on a network error, 429
 * or 5xx with jittered exponential backoff (honouring Retry-After); a creation of a multipart
 * upload is not (a retry would leave an orphan upload).
 *
 * @example
 * const s3 = new S3Client(s3ConfigFromEnv("s3://ml-dash/team", process.env));
 * await s3.put("runs/a.json", '{"ok":true}', { contentType: "application/json" });
 * const bytes = await s3.getRange("runs/a.json", 0, 5);
 */
import { md5 } from "@noble/hashes/legacy.js";
import { StorageError, ValidationError } from "../../../errors.ts";
import { sha256Hex, type Sha256 } from "../../../files/sha256.ts";
import { portableSha256 } from "../../../files/sha256-portable.ts";
import { checkKey, objectUrl, s3Uri, serviceLabel, type S3Config } from "./s3-config.ts";
import { s3NetworkError, s3ResponseError, type S3ErrorContext } from "./s3-errors.ts";
import { uploadStream, type PutStreamOptions } from "./s3-multipart.ts";
import type { S3PutResult, S3Request, S3Transport } from "./s3-request.ts";

export type { S3PutResult, S3Request, S3Transport } from "./s3-request.ts";
import { amzDate, EMPTY_SHA256, signRequest } from "./s3-sign.ts";
import { redactor, type Redact } from "./secrets.ts";
import { xmlElements, xmlEscape, xmlText } from "./s3-xml.ts";

/** Options of {@link S3Client}. */
export interface S3ClientOptions {
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** The clock for signatures (default: `new Date()`). */
  now?: () => Date;
  /** Retries of an idempotent request after a network error, 429 or 5xx (default 3). */
  retries?: number;
  /** How long a request may take until its answer's headers arrive, body upload included (default 120 s). */
  timeoutMs?: number;
  /** An incremental SHA-256 for streamed uploads (default: the portable one; Node passes node:crypto's). */
  sha256?: () => Sha256;
}

/** An object's properties. */
export interface S3ObjectInfo {
  /** Relative to the client's prefix. */
  readonly key: string;
  readonly size: number;
  /** As S3 gives it, without quotes. */
  readonly etag: string;
  readonly lastModified: Date | undefined;
  readonly contentType?: string | undefined;
  /** `x-amz-meta-*` headers (head only). */
  readonly metadata?: Readonly<Record<string, string>>;
}


/** An object being read. */
export interface S3GetResult extends S3ObjectInfo {
  readonly body: ReadableStream<Uint8Array>;
}

/** One page of a listing. */
export interface S3ListPage {
  readonly objects: S3ObjectInfo[];
  /** Pass back for the next page; undefined on the last page. */
  readonly continuationToken: string | undefined;
}

/** Options of a put. */
export interface S3PutOptions {
  contentType?: string;
  /** Stored as `x-amz-meta-<name>` (ASCII names and values). */
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

/** Options of a listing. */
export interface S3ListOptions {
  /** Keys per request (1–1000, default 1000). */
  pageSize?: number;
  /** List keys after this one (relative to the prefix). */
  startAfter?: string;
  signal?: AbortSignal;
}


const encoder = new TextEncoder();
const MAX_DELETE = 1000;

/** The S3 client of the team store. */
export class S3Client implements S3Transport {
  /** The bucket and prefix, region and endpoint. */
  readonly config: S3Config;
  /** Hides the credentials in messages. */
  readonly redact: Redact;
  /** The incremental SHA-256 for streamed uploads. */
  readonly sha256: () => Sha256;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => Date;
  private readonly retries: number;
  private readonly timeoutMs: number;

  constructor(config: S3Config, options: S3ClientOptions = {}) {
    this.config = config;
    const { accessKeyId, secretAccessKey, sessionToken } = config.credentials;
    this.redact = redactor([secretAccessKey, sessionToken, accessKeyId]);
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? (() => new Date());
    this.retries = options.retries ?? 3;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.sha256 = options.sha256 ?? portableSha256;
  }

  /** `s3://bucket/prefix/key` of a key. */
  uri(key: string): string {
    return s3Uri(this.config, this.config.prefix + key);
  }

  /** Stores `body` under `key`, replacing any object there. */
  async put(key: string, body: Uint8Array | string, options: S3PutOptions = {}): Promise<S3PutResult> {
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    const sha256 = await sha256Hex(bytes);
    const headers: Record<string, string> = { "content-type": options.contentType ?? "application/octet-stream" };
    for (const [name, value] of Object.entries(options.metadata ?? {})) headers[`x-amz-meta-${name.toLowerCase()}`] = value;
    const res = await this.send({ operation: "PUT", method: "PUT", key, headers, body: bytes, payloadSha256: sha256, signal: options.signal });
    await res.body?.cancel();
    return { key, size: bytes.length, etag: unquote(res.headers.get("etag")), sha256 };
  }

  /**
   * Stores a stream under `key` without holding it in memory: a single PUT when it fits in one
   * part, else a multipart upload (parts of `partSize`, default 8 MiB, at least 5 MiB), aborted
   * when the stream or an upload fails. Answers the SHA-256 of everything streamed.
   */
  putStream(key: string, stream: ReadableStream<Uint8Array>, options: PutStreamOptions = {}): Promise<S3PutResult> {
    return uploadStream(this, key, stream, options);
  }

  /** Reads an object as a stream (NotFoundError when it does not exist). */
  async get(key: string, options: { signal?: AbortSignal } = {}): Promise<S3GetResult> {
    const res = await this.send({ operation: "GET", method: "GET", key, signal: options.signal });
    return { ...infoFromHeaders(key, res.headers), body: res.body ?? new ReadableStream({ start: (c) => c.close() }) };
  }

  /** Reads a whole object. */
  async getBytes(key: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const res = await this.send({ operation: "GET", method: "GET", key, signal: options.signal });
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * Reads `length` bytes from `offset` (to the end when `length` is omitted). A range past the
   * end is a ValidationError (field `range`); a range that ends past the end is cut short.
   */
  async getRange(key: string, offset: number, length?: number, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new ValidationError(`Invalid range offset ${offset} for ${this.uri(key)}`, { field: "offset" });
    if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
      throw new ValidationError(`Invalid range length ${length} for ${this.uri(key)}`, { field: "length" });
    }
    if (length === 0) return new Uint8Array(0);
    const range = `bytes=${offset}-${length === undefined ? "" : offset + length - 1}`;
    const res = await this.send({ operation: "GET", method: "GET", key, headers: { range }, signal: options.signal });
    const bytes = new Uint8Array(await res.arrayBuffer());
    // A service that ignores Range answers 200 with the whole object.
    if (res.status === 200) return bytes.subarray(offset, length === undefined ? undefined : offset + length);
    return bytes;
  }

  /** An object's properties, or undefined when there is no such object. */
  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<S3ObjectInfo | undefined> {
    const res = await this.send({ operation: "HEAD", method: "HEAD", key, signal: options.signal, allow404: true });
    if (res.status === 404) return undefined;
    return infoFromHeaders(key, res.headers);
  }

  /** Deletes an object (no error when it does not exist, as S3 answers). */
  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const res = await this.send({ operation: "DELETE", method: "DELETE", key, signal: options.signal });
    await res.body?.cancel();
  }

  /** Deletes many objects, 1000 per request; a StorageError names the keys S3 could not delete. */
  async deleteMany(keys: readonly string[], options: { signal?: AbortSignal } = {}): Promise<void> {
    for (const k of keys) checkKey(this.config.prefix + k);
    for (let i = 0; i < keys.length; i += MAX_DELETE) {
      const batch = keys.slice(i, i + MAX_DELETE);
      const xml =
        `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>` +
        batch.map((k) => `<Object><Key>${xmlEscape(this.config.prefix + k)}</Key></Object>`).join("") +
        `</Delete>`;
      const body = encoder.encode(xml);
      // DeleteObjects requires an integrity header. Content-MD5 is the one every S3-compatible
      // service accepts (newer ones also take x-amz-checksum-*); Web Crypto has no MD5, noble does.
      const res = await this.send({
        operation: "delete-objects",
        method: "POST",
        query: { delete: "" },
        headers: { "content-type": "application/xml", "content-md5": base64(md5(body)) },
        body,
        idempotent: true,
        signal: options.signal,
      });
      const text = await res.text();
      const failed = xmlElements(text, "Error").map((e) => `${xmlText(e, "Key") ?? "?"} (${xmlText(e, "Code") ?? "error"})`);
      if (failed.length > 0) {
        throw new StorageError(`S3 delete of ${failed.length} object(s) in s3://${this.config.bucket} failed: ${this.redact(failed.slice(0, 10).join(", "))}`, {
          code: "S3_DELETE_FAILED",
        });
      }
    }
  }

  /** One page of the keys under `prefix` (relative to the client's prefix), in key order. */
  async listPage(prefix = "", options: S3ListOptions & { continuationToken?: string | undefined } = {}): Promise<S3ListPage> {
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new ValidationError(`Invalid list page size ${pageSize}: 1 to 1000`, { field: "pageSize" });
    const query: Record<string, string> = { "list-type": "2", prefix: this.config.prefix + prefix, "max-keys": String(pageSize), "encoding-type": "url" };
    if (options.continuationToken) query["continuation-token"] = options.continuationToken;
    else if (options.startAfter !== undefined) query["start-after"] = this.config.prefix + options.startAfter;
    const res = await this.send({ operation: "list", method: "GET", query, signal: options.signal });
    const text = await res.text();
    // Keys come URL-encoded when the service honours encoding-type=url (it says so); else as XML text.
    const urlEncoded = xmlText(text, "EncodingType") === "url";
    const decodeKey = (raw: string): string => (urlEncoded ? decodeURIComponent(raw.replace(/\+/g, " ")) : raw);
    const objects = xmlElements(text, "Contents").map((c): S3ObjectInfo => {
      const full = decodeKey(xmlText(c, "Key") ?? "");
      const modified = xmlText(c, "LastModified");
      return {
        key: full.startsWith(this.config.prefix) ? full.slice(this.config.prefix.length) : full,
        size: Number(xmlText(c, "Size") ?? 0),
        etag: unquote(xmlText(c, "ETag") ?? null),
        lastModified: modified ? new Date(modified) : undefined,
      };
    });
    const truncated = xmlText(text, "IsTruncated") === "true";
    const next = xmlText(text, "NextContinuationToken");
    return { objects, continuationToken: truncated && next ? next : undefined };
  }

  /** Every object under `prefix`, page after page. */
  async *list(prefix = "", options: S3ListOptions = {}): AsyncGenerator<S3ObjectInfo> {
    let token: string | undefined;
    let first = true;
    while (first || token) {
      const page = await this.listPage(prefix, { ...options, continuationToken: token });
      first = false;
      yield* page.objects;
      token = page.continuationToken;
    }
  }

  /**
   * Sends one signed request and answers the response when its status is a success; otherwise
   * throws the typed error for the answer. The building block of every operation (and of the
   * multipart upload).
   */
  async send(request: S3Request): Promise<Response> {
    const fullKey = request.key === undefined ? "" : this.config.prefix + request.key;
    if (request.key !== undefined) checkKey(fullKey);
    const ctx: S3ErrorContext = { operation: request.operation, bucket: this.config.bucket, key: fullKey, service: serviceLabel(this.config), redact: this.redact };
    const url = objectUrl(this.config, fullKey, request.query);
    const payloadSha256 = request.payloadSha256 ?? (request.body ? await sha256Hex(request.body) : EMPTY_SHA256);
    const idempotent = request.idempotent ?? request.method !== "POST";
    const allow404 = request.allow404 === true;
    for (let attempt = 0; ; attempt++) {
      request.signal?.throwIfAborted();
      const signed = await signRequest(
        { method: request.method, url, headers: request.headers ?? {}, payloadSha256 },
        { credentials: this.config.credentials, region: this.config.region, datetime: amzDate(this.now()) },
      );
      let res: Response;
      try {
        res = await this.fetchWithTimeout(signed.url, { method: request.method, headers: signed.headers, body: (request.body as BodyInit | undefined) ?? null }, request.signal);
      } catch (e) {
        if (request.signal?.aborted) throw request.signal.reason;
        if (idempotent && attempt < this.retries) {
          await backoff(attempt, null);
          continue;
        }
        throw s3NetworkError(ctx, e);
      }
      if (res.ok || (allow404 && res.status === 404)) return res;
      const text = await res.text().catch(() => "");
      if (idempotent && attempt < this.retries && (res.status >= 500 || res.status === 429)) {
        await backoff(attempt, res.headers.get("retry-after"));
        continue;
      }
      throw s3ResponseError(ctx, res.status, res.headers, text);
    }
  }

  /** fetch, aborted when the answer's headers take longer than the timeout (the body may then stream on). */
  private async fetchWithTimeout(url: URL, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new DOMException("S3 request timed out", "TimeoutError")), this.timeoutMs);
    try {
      return await this.fetchImpl(url, { ...init, signal: controller.signal });
    } catch (e) {
      throw controller.signal.aborted && !signal?.aborted ? controller.signal.reason : e;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

function unquote(etag: string | null): string {
  return (etag ?? "").replace(/^W\//, "").replace(/"/g, "");
}

function infoFromHeaders(key: string, headers: Headers): S3ObjectInfo {
  const metadata: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("x-amz-meta-")) metadata[name.slice("x-amz-meta-".length)] = value;
  });
  const modified = headers.get("last-modified");
  const range = headers.get("content-range");
  const size = range ? Number(range.split("/")[1]) : Number(headers.get("content-length") ?? 0);
  return {
    key,
    size,
    etag: unquote(headers.get("etag")),
    lastModified: modified ? new Date(modified) : undefined,
    contentType: headers.get("content-type") ?? undefined,
    metadata,
  };
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Waits before retry `attempt` (0-based): Retry-After when the service sent one, else 100 ms × 2^attempt with full jitter. */
function backoff(attempt: number, retryAfter: string | null): Promise<void> {
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  const ms = Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 30_000) : Math.random() * 100 * 2 ** attempt;
  return new Promise((r) => setTimeout(r, ms));
}
