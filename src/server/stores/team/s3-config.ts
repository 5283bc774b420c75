/**
 * Where the team store keeps objects, from an `s3://bucket/prefix` URL and the standard AWS
 * environment, read as the AWS CLI reads it:
 *
 * | variable | meaning |
 * |---|---|
 * | `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL` | a non-AWS service (MinIO, R2, Ceph, …); ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` |
 * | `AWS_REGION`, else `AWS_DEFAULT_REGION` | the signing region (default `us-east-1`; `auto` for an R2 endpoint) |
 * | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` | the credentials |
 *
 * With an endpoint, requests use path-style addressing (`<endpoint>/<bucket>/<key>`), which every
 * S3-compatible service accepts; without one, AWS's virtual-hosted style
 * (`https://<bucket>.s3.<region>.amazonaws.com/<key>`), or path style for a bucket name with a
 * dot (a virtual host would not match AWS's TLS certificate), as the AWS CLI does.
 *
 * The environment is passed in (this file runs where `process` does not exist); the CLI hands
 * over `process.env`. Profiles, SSO and instance metadata are not read: give keys explicitly.
 */
import { ConfigurationError, ValidationError } from "../../../errors.ts";

/** Environment variables, as `process.env` or `Deno.env.toObject()` give them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Credentials for SigV4. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A temporary credential's session token (`AWS_SESSION_TOKEN`). */
  readonly sessionToken?: string | undefined;
}

/** A resolved S3 location and how to reach it. */
export interface S3Config {
  readonly bucket: string;
  /** Key prefix of everything the store writes: "" or ending with "/". */
  readonly prefix: string;
  readonly region: string;
  /** The service's base URL when it is not AWS (no trailing slash), e.g. `http://127.0.0.1:9000`. */
  readonly endpoint?: string | undefined;
  /** `path`: `<endpoint>/<bucket>/<key>`; `virtual`: `https://<bucket>.s3.<region>.amazonaws.com/<key>`. */
  readonly addressing: "path" | "virtual";
  readonly credentials: S3Credentials;
}

/** Options that override the environment. */
export interface S3ConfigOverrides {
  endpoint?: string;
  region?: string;
  credentials?: S3Credentials;
  /** Force an addressing style (default: path with an endpoint, virtual without). */
  addressing?: "path" | "virtual";
}

/** Parses `s3://bucket/optional/prefix` into the bucket and a prefix ending with "/" (or ""). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/?#]+)\/?([^?#]*)$/.exec(url.trim());
  if (!m) throw new ValidationError(`Invalid S3 URL "${url}": write it as s3://bucket or s3://bucket/prefix`, { field: "s3" });
  const bucket = m[1] as string;
  checkBucketName(bucket);
  const rest = (m[2] as string).replace(/^\/+|\/+$/g, "");
  if (rest !== "" && rest.split("/").some((s) => s === "." || s === ".." || s === "")) {
    throw new ValidationError(`Invalid S3 prefix in "${url}": no empty, "." or ".." segments`, { field: "s3" });
  }
  return { bucket, prefix: rest === "" ? "" : `${rest}/` };
}

/** S3's bucket naming rules (3–63 of a-z 0-9 . -, starting and ending with a letter or digit). */
export function checkBucketName(bucket: string): void {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes("..")) {
    throw new ValidationError(`Invalid S3 bucket name "${bucket}": 3–63 lowercase letters, digits, "." and "-"`, { field: "bucket" });
  }
}

/**
 * The S3 configuration for `url` from the AWS environment (see the file comment).
 * @example
 * const config = s3ConfigFromEnv("s3://ml-dash/team", process.env);
 */
export function s3ConfigFromEnv(url: string, env: Env, overrides: S3ConfigOverrides = {}): S3Config {
  const { bucket, prefix } = parseS3Url(url);
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const ignoreEndpoints = get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.toLowerCase() === "true";
  const rawEndpoint = overrides.endpoint ?? (ignoreEndpoints ? undefined : (get("AWS_ENDPOINT_URL_S3") ?? get("AWS_ENDPOINT_URL")));
  const endpoint = rawEndpoint === undefined ? undefined : normalizeEndpoint(rawEndpoint);
  const region =
    overrides.region ?? get("AWS_REGION") ?? get("AWS_DEFAULT_REGION") ?? (endpoint && new URL(endpoint).hostname.endsWith(".r2.cloudflarestorage.com") ? "auto" : "us-east-1");
  let credentials = overrides.credentials;
  if (!credentials) {
    const accessKeyId = get("AWS_ACCESS_KEY_ID");
    const secretAccessKey = get("AWS_SECRET_ACCESS_KEY");
    if (!accessKeyId || !secretAccessKey) {
      const missing = [!accessKeyId && "AWS_ACCESS_KEY_ID", !secretAccessKey && "AWS_SECRET_ACCESS_KEY"].filter(Boolean).join(" and ");
      throw new ConfigurationError(`S3 credentials are missing for s3://${bucket}: set ${missing} (profiles and instance roles are not read)`, {
        code: "S3_NO_CREDENTIALS",
      });
    }
    credentials = { accessKeyId, secretAccessKey, sessionToken: get("AWS_SESSION_TOKEN") };
  }
  const addressing = overrides.addressing ?? (endpoint !== undefined || bucket.includes(".") ? "path" : "virtual");
  return { bucket, prefix, region, endpoint, addressing, credentials };
}

function normalizeEndpoint(raw: string): string {
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new ValidationError(`Invalid S3 endpoint URL "${raw}": write it as https://host[:port]`, { field: "AWS_ENDPOINT_URL" });
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new ValidationError(`Invalid S3 endpoint URL "${u.origin}": only http and https are supported`, { field: "AWS_ENDPOINT_URL" });
  }
  if (u.username || u.password) {
    throw new ValidationError("Invalid S3 endpoint URL: it must not carry a user or password; use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", {
      field: "AWS_ENDPOINT_URL",
    });
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}

/** RFC 3986 encoding of one key segment (encodeURIComponent leaves !'()* alone; S3 signs them encoded). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Refuses keys a URL cannot carry unchanged: fetch's URL parser resolves "." and ".." segments
 * (also when percent-encoded), so such a key would address another object.
 */
export function checkKey(key: string): void {
  if (key === "") throw new ValidationError("An S3 object key must not be empty", { field: "key" });
  if (key.split("/").some((s) => s === "." || s === "..")) {
    throw new ValidationError(`Invalid S3 object key "${key}": "." and ".." segments cannot be sent in a URL`, { field: "key" });
  }
  if (new TextEncoder().encode(key).length > 1024) throw new ValidationError("An S3 object key is at most 1024 bytes", { field: "key" });
}

/** The request URL for `key` (a full key, prefix included; "" for the bucket itself). */
export function objectUrl(config: S3Config, key: string, query?: Record<string, string>): URL {
  const path = key === "" ? "" : "/" + key.split("/").map(encodeSegment).join("/");
  let base: string;
  if (config.addressing === "path") {
    const service = config.endpoint ?? `https://s3.${config.region}.${awsDomain(config.region)}`;
    base = `${service}/${config.bucket}`;
  } else {
    const service = config.endpoint === undefined ? `https://s3.${config.region}.${awsDomain(config.region)}` : config.endpoint;
    const u = new URL(service);
    u.hostname = `${config.bucket}.${u.hostname}`;
    base = `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
  }
  const url = new URL(base + (path === "" ? "/" : path));
  if (query) for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url;
}

function awsDomain(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/** `s3://bucket/key`, for messages and records. */
export function s3Uri(config: Pick<S3Config, "bucket">, key: string): string {
  return `s3://${config.bucket}/${key}`;
}

/** The service's address for messages: the endpoint, or AWS's regional host. */
export function serviceLabel(config: S3Config): string {
  return config.endpoint ?? `AWS S3 (${config.region})`;
}
