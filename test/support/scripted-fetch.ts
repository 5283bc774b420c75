/**
 * A `fetch` that fails on cue (a script per request, an exact cycle, or a seeded random rate)
 * and otherwise forwards to the real server. Web APIs only, so the same faults run in Node,
 * Chromium, Deno and workerd.
 */

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

/**
 * The fault each next request of a faulty proxy gets ("ok" for none): a fault with probability
 * `rate` (seeded), the kinds taken in turn, so every kind happens once a run has had as many
 * faults as kinds (drawn at random, a short run could miss one, and the tests that check each
 * kind happened failed now and then); a 500 starts a burst of up to two more. `eligible: false`
 * (a preflight) is never the start of a fault.
 */
export function faultSchedule(options: { rate: number; seed: number; kinds: readonly Fault[] }): (eligible?: boolean) => Fault {
  const random = rng(options.seed);
  let turn = 0;
  let burst = 0;
  return (eligible = true) => {
    if (burst > 0) {
      burst--;
      return "500";
    }
    if (!eligible || random() >= options.rate) return "ok";
    const fault = options.kinds[turn++ % options.kinds.length] as Fault;
    if (fault === "500") burst = Math.floor(random() * 3);
    return fault;
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


/** How many of the first `n` requests a `cycle` makes fail (the exact count a cycle promises). */
export function faultsInCycle(cycle: readonly Fault[], n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (cycle[i % cycle.length] !== "ok") k++;
  return k;
}
