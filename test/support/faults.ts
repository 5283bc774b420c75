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

import { faultSchedule, type Fault } from "./scripted-fetch.ts";

export { faultsInCycle, rng, scriptedFetch, type Fault, type ScriptedFetch, type ScriptOptions, type SeenRequest } from "./scripted-fetch.ts";

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
  const nextFault = faultSchedule({ rate: options.rate, seed: options.seed ?? 7, kinds: options.kinds ?? ["drop", "500", "429", "slow", "lost-response"] });
  const counts: ProxyCounts = { ok: 0, drop: 0, "500": 0, "503": 0, "429": 0, slow: 0, "lost-response": 0 };
  const up = new URL(target);
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
        const fault = nextFault(req.method !== "OPTIONS");
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
