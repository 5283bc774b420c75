/**
 * The HTTP client of an ML-Dash server: the injected `fetch`, the bearer token, the retry
 * policy of `retry.ts`, and one mapping of failures onto the error hierarchy. Every request goes
 * through one attempt loop ({@link RemoteClient.send}); {@link RemoteClient.request} adds the
 * JSON / msgpack bodies on top of it.
 */
import { exactJson, plainCodec } from "../../protocol/exact-codec.ts";
import { parsePyJson } from "../../layout/py-json-parse.ts";
import { AuthenticationError, MlDashError, NetworkError, RemoteError } from "../../errors.ts";
import { scrubCredentials, scrubError, scrubValue } from "../../internal/scrub.ts";
import { tokenResolver } from "../../auth/token.ts";
import type { RemoteOptions, TokenOption, WireFormat } from "../../model/options.ts";
import type { RouteTarget } from "../../protocol/routes.ts";
import { JSON_TYPE, MSGPACK } from "../../protocol/wire.ts";
import { backoffMs, isTransientStatus, retryAfterMs, retryPolicy, sleep, type RetryPolicy } from "./retry.ts";

export type { RemoteOptions } from "../../model/options.ts";

/** Everything the client needs. */
export interface RemoteClientOptions extends RemoteOptions {
  /** Server URL, without `/api` (a trailing slash is ignored). */
  readonly dashUrl: string;
  readonly token?: TokenOption | undefined;
  /** The runtime's token discovery, used when no `token` option is given. */
  readonly loadToken?: (() => Promise<string | undefined>) | undefined;
  /**
   * Send requests without `Authorization` when no token is configured (a server started without
   * one accepts them; one that needs a token answers 401). Default false: a missing token is an
   * error before the first request. `ml-dash upload` and `ls` set it.
   */
  readonly tokenOptional?: boolean | undefined;
  readonly fetch?: typeof fetch | undefined;
  /** Called before each retry (for `exp.stats.retried`). */
  readonly onRetry?: (() => void) | undefined;
}

/** Options of one request. */
export interface RequestOptions {
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
  readonly json?: unknown;
  readonly query?: Record<string, string | number | undefined> | undefined;
  /** Ask for msgpack (keeps NaN and ±Infinity in reads). */
  readonly msgpack?: boolean;
  readonly headers?: Record<string, string>;
}

/** Options of {@link RemoteClient.send}. */
export interface SendOptions {
  /** Makes the body of one attempt (called again for each retry). */
  readonly body?: () => BodyInit | Promise<BodyInit>;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string | number | undefined> | undefined;
  /** Retries after the first attempt (default: the client's); 0 for a body that can be read only once. */
  readonly retries?: number;
  /** Time until the answer's headers (ms); 0 = none. Default: the client's timeout. */
  readonly timeoutMs?: number;
  /**
   * Refuse redirects (default true). fetch (the spec, and undici) otherwise clones the request
   * to be able to follow one, and the clone of a streamed body keeps every byte sent in memory.
   */
  readonly noRedirect?: boolean;
}

/** A parsed answer. */
export interface RemoteResponse<T> {
  readonly status: number;
  readonly data: T;
}

/** One server, one token, one retry policy. */
export class RemoteClient {
  /** `<dashUrl>/api`: every path is joined under it by concatenation, as Python's client does. */
  readonly base: string;
  /** The batch encoding in use; becomes `"json"` for good after a 415. */
  wire: WireFormat;
  /** The injected (or global) fetch, for keepalive requests that must bypass the retries. */
  readonly fetchImpl: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly abort = new AbortController();
  private token: string | undefined;
  private resolver: (() => Promise<string>) | undefined;

  constructor(private readonly options: RemoteClientOptions) {
    this.base = options.dashUrl.replace(/\/+$/, "") + "/api";
    this.wire = options.wire ?? "msgpack";
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.retry = retryPolicy(options);
  }

  /** The token last used (for keepalive requests, which cannot wait for a provider). */
  get cachedToken(): string | undefined {
    return this.token;
  }

  /**
   * The bearer token: the option (a provider is asked each time), else the runtime's discovery
   * (`ML_DASH_TOKEN`, `~/.dash`). Throws AuthenticationError saying how to provide one.
   */
  async resolveToken(): Promise<string> {
    this.resolver ??= tokenResolver(this.options.token, this.options.loadToken ? { loadToken: this.options.loadToken } : {}, this.options.dashUrl);
    const token = await this.resolver();
    this.token = token;
    return token;
  }

  /**
   * Sends a request to a route (`target(routes.x, params)`), retrying transient failures, and
   * parses the answer; throws a mapped error.
   */
  async request<T = unknown>(to: RouteTarget, options: RequestOptions = {}): Promise<RemoteResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: Uint8Array | string | undefined = options.body;
    if (options.json !== undefined) {
      body = exactJson(options.json);
      headers["content-type"] = JSON_TYPE;
    } else if (options.contentType) headers["content-type"] = options.contentType;
    headers["accept"] = options.msgpack ? `${MSGPACK}, ${JSON_TYPE};q=0.5` : JSON_TYPE;
    const made = body as BodyInit | undefined;
    const res = await this.send(to, { headers, query: options.query, noRedirect: false, ...(made === undefined ? {} : { body: () => made }) });
    try {
      return { status: res.status, data: (await parseBody(res)) as T };
    } catch (err) {
      throw this.unreachable(`${to.method} ${this.base}/${to.path}`, err); // the answer broke off
    }
  }

  /** The absolute URL of an API path (concatenated, never resolved: a leading "/" stays under /api). */
  url(path: string, query?: Record<string, string | number | undefined>): string {
    // "../graphql": beside the API, at the server's root (ML-Dash's GraphQL).
    let url = path.startsWith("../") ? this.base.slice(0, -"/api".length) + "/" + path.slice(3) : this.base + "/" + path.replace(/^\/+/, "");
    if (query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
      const s = q.toString();
      if (s) url += "?" + s;
    }
    return url;
  }

  /** Stops retries and in-flight requests. */
  close(): void {
    this.abort.abort();
  }

  /**
   * Removes the token from text that came from elsewhere (a server could echo it back). Tokens
   * shorter than 8 characters are test values, and blanking them would garble the message.
   */
  scrub(text: string): string {
    return scrubCredentials(text, this.token && this.token.length >= 8 ? [this.token] : []);
  }

  /** The secrets to scrub from errors (the token; short ones are test values). */
  private secrets(): string[] {
    return this.token && this.token.length >= 8 ? [this.token] : [];
  }

  /**
   * Sends a request whose body is made afresh for every attempt (a multipart upload read again
   * from its file), straight through the injected fetch, retrying by the policy of `retry.ts`
   * (408, 429, 5xx, timeouts, network errors; `Retry-After`; jittered backoff). `retries: 0`
   * for a body that can be read only once. Resolves to the (2xx) response, body unread.
   */
  async send(to: RouteTarget, options: SendOptions = {}): Promise<Response> {
    const { method, path } = to;
    const retries = options.retries ?? this.retry.retries;
    const limit = options.timeoutMs ?? this.retry.timeoutMs;
    const url = this.url(path, options.query);
    const what = `${method} ${this.base}/${path}`;
    for (let attempt = 0; ; attempt++) {
      const token = await this.resolveToken().catch((err: unknown) => {
        if (this.options.tokenOptional && err instanceof AuthenticationError && err.code === "NO_TOKEN") return undefined;
        throw err;
      });
      const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), accept: JSON_TYPE, ...options.headers };
      const ctrl = new AbortController();
      const onAbort = (): void => ctrl.abort(this.abort.signal.reason);
      if (this.abort.signal.aborted) onAbort();
      else this.abort.signal.addEventListener("abort", onAbort);
      let timedOut = false;
      const timer = limit > 0 ? setTimeout(() => ((timedOut = true), ctrl.abort(new Error("timeout"))), limit) : undefined;
      let retryIn: number | undefined;
      try {
        const body = options.body ? await options.body() : undefined;
        const init: RequestInit & { duplex?: "half" } = { method, headers, signal: ctrl.signal };
        if (options.noRedirect !== false && noRedirectSupported()) init.redirect = "error";
        if (body !== undefined) {
          init.body = body;
          if (typeof ReadableStream !== "undefined" && body instanceof ReadableStream) init.duplex = "half";
        }
        const res = await this.fetchImpl(url, init);
        if (res.ok) return res;
        if (!isTransientStatus(res.status) || attempt >= retries) throw await this.fromResponse(res, what);
        retryIn = retryAfterMs(res.headers.get("retry-after"), this.retry.maxBackoffMs);
        await res.body?.cancel().catch(() => undefined);
      } catch (err) {
        if (err instanceof MlDashError) throw err;
        // The body's own stream refused to go on (a file over the size limit): that is the answer.
        const inner = (err as { cause?: unknown } | null)?.cause;
        if (inner instanceof MlDashError) throw inner;
        if (this.abort.signal.aborted || attempt >= retries) {
          if (timedOut) throw new NetworkError(`${what} timed out (no answer within ${limit} ms, after retries)`, { cause: scrubError(err, this.secrets()) });
          throw this.unreachable(what, err);
        }
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        this.abort.signal.removeEventListener("abort", onAbort);
      }
      this.options.onRetry?.();
      await sleep(retryIn ?? backoffMs(this.retry, attempt));
    }
  }

  /** A failure on the way (no answer, or a broken one). */
  private unreachable(what: string, err: unknown): NetworkError {
    const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return new NetworkError(`${what} could not reach the server: ${scrubCredentials(reason, this.secrets())}`, { cause: scrubError(err, this.secrets()) });
  }

  /** The error of a non-2xx answer. */
  private async fromResponse(res: Response, what: string): Promise<MlDashError> {
    let body: unknown;
    try {
      body = await parseBody(res);
    } catch {
      body = undefined;
    }
    // A server (or proxy) may echo the request's headers: nothing of them reaches the error.
    body = scrubValue(body, this.secrets());
    const message = scrubCredentials(serverMessage(body) ?? res.statusText ?? "", this.secrets());
    if (res.status === 401 || res.status === 403) {
      return new AuthenticationError(
        `${what} was refused (${res.status}${message ? `: ${message}` : ""}); check the token given to the Experiment (option token or ML_DASH_TOKEN)`,
      );
    }
    return new RemoteError(`${what} failed with ${res.status}${message ? `: ${message}` : ""}`, res.status, body);
  }
}

/** The answer's body: msgpack or JSON by content type, else text (`undefined` when empty). */
export async function parseBody(res: Response): Promise<unknown> {
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("msgpack")) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length === 0) return undefined;
    // The decoder loads with the first msgpack answer: a client that only sends batches (their
    // answers are JSON) never downloads it.
    const { decode } = await import("../../protocol/msgpack-decode.ts");
    return decode(bytes, { extensionCodec: plainCodec });
  }
  const text = await res.text();
  if (text === "") return undefined;
  if (type.includes("json")) {
    try {
      return parsePyJson(text); // integers past 2^53 as bigint
    } catch {
      return text;
    }
  }
  return text;
}

/** The human part of an error answer: `{error}`, `{message}`, `{detail}` or plain text. */
export function serverMessage(body: unknown): string | undefined {
  if (typeof body === "string") return body.slice(0, 500);
  if (body !== null && typeof body === "object") {
    const b = body as Record<string, unknown>;
    for (const k of ["error", "message", "detail"]) if (typeof b[k] === "string") return b[k] as string;
  }
  return undefined;
}

let noRedirect: boolean | undefined;

/** Whether `redirect: "error"` is accepted here (Workers allow only follow and manual). */
function noRedirectSupported(): boolean {
  if (noRedirect === undefined) {
    try {
      noRedirect = new Request("http://127.0.0.1/", { redirect: "error" }).redirect === "error";
    } catch {
      noRedirect = false;
    }
  }
  return noRedirect;
}
