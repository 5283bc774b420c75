/**
 * A round-robin HTTP proxy over several servers (the load balancer in front of a team of
 * `ml-dash serve` nodes) that injects the faults of {@link startFaultyProxy}: dropped
 * connections, bursts of 500, 429 with `Retry-After`, answers lost after the server stored the
 * request. A node that is down (killed) refuses: the proxy drops the client's connection, as a
 * balancer whose health check has not noticed yet. Targets can be swapped (a restarted node
 * listens on a new port).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { faultSchedule, type Fault } from "./scripted-fetch.ts";

/** A running proxy. */
export interface RoundRobinProxy {
  readonly url: string;
  /** What happened, by fault kind (`refused`: the chosen node was down). */
  readonly counts: Record<Fault | "refused", number>;
  /** Requests that each target answered. */
  readonly served: number[];
  /** Points target `i` at a new URL. */
  setTarget(i: number, url: string): void;
  close(): Promise<void>;
}

/** Starts the proxy over `targets`; `rate` of requests get a fault drawn from `kinds`. */
export function startRoundRobinProxy(targets: string[], options: { rate: number; seed?: number; kinds?: readonly Fault[]; retryAfter?: number }): Promise<RoundRobinProxy> {
  const nextFault = faultSchedule({ rate: options.rate, seed: options.seed ?? 11, kinds: options.kinds ?? ["drop", "500", "429", "lost-response"] });
  const counts: Record<Fault | "refused", number> = { ok: 0, drop: 0, "500": 0, "503": 0, "429": 0, slow: 0, "lost-response": 0, refused: 0 };
  const served = targets.map(() => 0);
  const ups = targets.map((t) => new URL(t));
  let turn = 0;
  // As nginx does by default (proxy_set_header Host $proxy_host): the node sees its own name,
  // which its Host allowlist accepts.
  const forward = (up: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const r = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } }, (res) => {
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
        const k = turn++ % ups.length;
        const up = ups[k] as URL;
        const fault = nextFault();
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
            case "lost-response":
              await forward(up, req, body); // the node stored it…
              counts["lost-response"]++;
              served[k] = (served[k] as number) + 1;
              req.socket.destroy(); // …and the client never hears back
              return;
          }
          const ans = await forward(up, req, body);
          counts.ok++;
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
