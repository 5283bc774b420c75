/**
 * An HTTP proxy in front of one real server, or round-robin over several (the load balancer in
 * front of a team of `ml-dash serve` nodes), that fails a share of the requests: drops the
 * connection, answers a burst of 500, answers 429 with `Retry-After`, answers slowly, or forwards
 * and then drops the answer (the server stored the batch; the client never hears it). A node that
 * is down (killed) refuses: the proxy drops the client's connection, as a balancer whose health
 * check has not noticed yet. Targets can be swapped (a restarted node listens on a new port).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { faultSchedule, type Fault } from "./scripted-fetch.ts";

/** What a proxy did, by fault kind (`refused`: the chosen server did not answer). */
export type ProxyCounts = Record<Fault | "refused", number>;

/** A running proxy. */
export interface FaultyProxy {
  readonly url: string;
  readonly counts: ProxyCounts;
  /** Requests that each target answered (forwarded, the answer lost or not). */
  readonly served: number[];
  /** Points target `i` at a new URL. */
  setTarget(i: number, url: string): void;
  close(): Promise<void>;
}

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  /** Share of requests that fail. */
  readonly rate: number;
  readonly seed?: number;
  /** Faults drawn from (default: all but ok). A "500" starts a burst of 1–3 500s. */
  readonly kinds?: readonly Fault[];
  readonly retryAfter?: number;
  readonly slowMs?: number;
}

interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/**
 * Forwards `req` to `up`. As nginx does by default (`proxy_set_header Host $proxy_host`), the
 * server sees its own name, which its Host allowlist accepts.
 */
function forward(up: URL, req: IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(body);
  });
}

/** Starts a proxy over `targets` (taken in turn); `rate` of the requests get a fault drawn from `kinds`. */
export function startProxy(targets: string[], options: ProxyOptions): Promise<FaultyProxy> {
  const nextFault = faultSchedule({ rate: options.rate, seed: options.seed ?? 7, kinds: options.kinds ?? ["drop", "500", "429", "slow", "lost-response"] });
  const counts: ProxyCounts = { ok: 0, drop: 0, "500": 0, "503": 0, "429": 0, slow: 0, "lost-response": 0, refused: 0 };
  const ups = targets.map((t) => new URL(t));
  const served = targets.map(() => 0);
  let turn = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const k = turn++ % ups.length;
        const up = ups[k] as URL;
        // A browser's preflight is never failed: the fault goes to the request it clears.
        const fault = nextFault(req.method !== "OPTIONS");
        try {
          switch (fault) {
            case "drop":
              counts.drop++;
              req.socket.destroy();
              return;
            case "500":
            case "503":
              counts[fault]++;
              res.writeHead(Number(fault), { "content-type": "application/json" }).end('{"error":"injected"}');
              return;
            case "429":
              counts["429"]++;
              res.writeHead(429, { "content-type": "application/json", "retry-after": String(options.retryAfter ?? 1) }).end('{"error":"slow down"}');
              return;
            case "slow":
              await new Promise((r) => setTimeout(r, options.slowMs ?? 200));
              break;
            case "lost-response":
              await forward(up, req, body); // the server stored it…
              counts["lost-response"]++;
              served[k] = (served[k] as number) + 1;
              req.socket.destroy(); // …and the client never hears back
              return;
          }
          const ans = await forward(up, req, body);
          counts[fault]++;
          served[k] = (served[k] as number) + 1;
          const headers = { ...ans.headers };
          delete headers["transfer-encoding"];
          delete headers["connection"];
          res.writeHead(ans.status, headers).end(ans.body);
        } catch {
          counts.refused++;
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
        served,
        setTarget: (i, url) => {
          ups[i] = new URL(url);
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** A faulty proxy in front of one server. */
export function startFaultyProxy(target: string, options: ProxyOptions): Promise<FaultyProxy> {
  return startProxy([target], options);
}
