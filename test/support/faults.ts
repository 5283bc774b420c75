/**
 * Fault injection for the remote path, at two levels:
 *
 * - {@link scriptedFetch}: a `fetch` that fails on cue (a script per request, or a seeded random
 *   rate) and otherwise forwards to the real server;
 * - {@link startFaultyProxy}: an HTTP proxy in front of the real server that drops connections,
 *   answers bursts of 500, 429 with `Retry-After`, answers slowly, or forwards a request and
 *   then drops the answer (the server stored the batch; the client never hears it).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What can happen to one request. */
export type Fault = "ok" | "drop" | "500" | "503" | "429" | "slow" | "lost-response";

/** A seeded PRNG (mulberry32), so a failing run can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One request seen by a scripted fetch. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | null;
  readonly keepalive: boolean;
  readonly bodyBytes: number;
  readonly fault: Fault;
  readonly at: number;
  readonly headers: Headers;
}

/** Options of {@link scriptedFetch}. */
export interface ScriptOptions {
  /** Faults for the matching requests, in order; `ok` (forward) once it runs out. */
  readonly script?: Fault[];
  /** Or: these faults, repeated for as long as requests come (an exact failure rate). */
  readonly cycle?: readonly Fault[];
  /** Or: this share of matching requests fail, with a fault drawn from `kinds`. */
  readonly rate?: number;
  readonly kinds?: readonly Fault[];
  readonly seed?: number;
  /** Which requests the faults apply to (default: all). */
  readonly match?: (method: string, url: string) => boolean;
  /** `Retry-After` seconds of a 429. Default 1. */
  readonly retryAfter?: number;
  /** Delay of a slow answer (ms). Default 300. */
  readonly slowMs?: number;
  /** A fixed answer for matching requests instead of forwarding (e.g. 400). */
  readonly answer?: (method: string, url: string) => Response | undefined;
}

/** A fetch with a log of what it saw. */
export type ScriptedFetch = typeof fetch & { readonly seen: SeenRequest[]; down: boolean };

const sleep = (ms: number, signal?: AbortSignal | null): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason ?? new Error("aborted"));
    });
  });

/** A fetch that injects faults and otherwise forwards to the real network (loopback). */
export function scriptedFetch(options: ScriptOptions = {}): ScriptedFetch {
  const script = [...(options.script ?? [])];
  const random = rng(options.seed ?? 1);
  const kinds = options.kinds ?? ["drop", "500", "503", "429", "lost-response"];
  const seen: SeenRequest[] = [];
  let turn = 0;
  const f = (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(await req.arrayBuffer());
    const matches = options.match ? options.match(req.method, req.url) : true;
    let fault: Fault = "ok";
    if (f.down) fault = "drop";
    else if (matches) {
      if (script.length > 0) fault = script.shift() as Fault;
      else if (options.cycle && options.cycle.length > 0) fault = options.cycle[turn++ % options.cycle.length] as Fault;
      else if (options.rate && random() < options.rate) fault = kinds[Math.floor(random() * kinds.length)] as Fault;
    }
    seen.push({
      method: req.method,
      url: req.url,
      contentType: req.headers.get("content-type"),
      keepalive: init?.keepalive ?? req.keepalive,
      bodyBytes: body?.length ?? 0,
      fault,
      at: Date.now(),
      headers: req.headers,
    });
    const fixed = matches ? options.answer?.(req.method, req.url) : undefined;
    if (fixed) return fixed;
    const forward = (): Promise<Response> =>
      globalThis.fetch(req.url, { method: req.method, headers: req.headers, ...(body ? { body: body as BodyInit } : {}), signal: req.signal });
    switch (fault) {
      case "drop":
        throw new TypeError("fetch failed (injected: connection dropped)");
      case "500":
      case "503":
        return new Response(JSON.stringify({ error: "injected failure" }), { status: Number(fault), headers: { "content-type": "application/json" } });
      case "429":
        return new Response(JSON.stringify({ error: "slow down" }), { status: 429, headers: { "content-type": "application/json", "retry-after": String(options.retryAfter ?? 1) } });
      case "slow":
        await sleep(options.slowMs ?? 300, req.signal);
        return forward();
      case "lost-response": {
        const res = await forward();
        await res.arrayBuffer();
        throw new TypeError("fetch failed (injected: the answer was lost after the server stored the request)");
      }
      default:
        return forward();
    }
  }) as ScriptedFetch;
  Object.defineProperty(f, "seen", { value: seen });
  (f as { down: boolean }).down = false;
  return f;
}

/** Counts of what a faulty proxy did. */
export type ProxyCounts = Record<Fault, number>;

/** A running faulty proxy. */
export interface FaultyProxy {
  readonly url: string;
  readonly counts: ProxyCounts;
  close(): Promise<void>;
}

/** Options of {@link startFaultyProxy}. */
export interface ProxyOptions {
  /** Share of requests that fail. */
  readonly rate: number;
  readonly seed?: number;
  /** Faults drawn from (default: all but ok). A "500" starts a burst of 1–3 500s. */
  readonly kinds?: readonly Fault[];
  readonly retryAfter?: number;
  readonly slowMs?: number;
}

/**
 * An HTTP proxy in front of `target` that fails `rate` of the requests: drops the connection,
 * answers a burst of 500, answers 429 with `Retry-After`, answers slowly, or forwards and then
 * drops the answer.
 */
export function startFaultyProxy(target: string, options: ProxyOptions): Promise<FaultyProxy> {
  const random = rng(options.seed ?? 7);
  const kinds = options.kinds ?? ["drop", "500", "429", "slow", "lost-response"];
  const counts: ProxyCounts = { ok: 0, drop: 0, "500": 0, "503": 0, "429": 0, slow: 0, "lost-response": 0 };
  const up = new URL(target);
  let burst = 0;
  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const r = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      r.on("error", reject);
      r.end(body);
    });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        let fault: Fault = "ok";
        if (burst > 0) {
          burst--;
          fault = "500";
        } else if (req.method !== "OPTIONS" && random() < options.rate) {
          fault = kinds[Math.floor(random() * kinds.length)] as Fault;
          if (fault === "500") burst = Math.floor(random() * 3);
        }
        counts[fault]++;
        try {
          switch (fault) {
            case "drop":
              req.socket.destroy();
              return;
            case "500":
            case "503":
              res.writeHead(Number(fault), { "content-type": "application/json" }).end('{"error":"injected"}');
              return;
            case "429":
              res.writeHead(429, { "content-type": "application/json", "retry-after": String(options.retryAfter ?? 1) }).end('{"error":"slow down"}');
              return;
            case "slow":
              await new Promise((r) => setTimeout(r, options.slowMs ?? 200));
              break;
            case "lost-response":
              await forward(req, body); // the server stored it…
              req.socket.destroy(); // …and the client never hears back
              return;
          }
          const ans = await forward(req, body);
          const headers = { ...ans.headers };
          delete headers["transfer-encoding"];
          delete headers["connection"];
          res.writeHead(ans.status, headers).end(ans.body);
        } catch {
          req.socket.destroy();
        }
      })();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        counts,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
