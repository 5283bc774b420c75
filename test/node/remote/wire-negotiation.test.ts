/**
 * msgpack only after the server has shown it takes it: a server whose experiment answer does not
 * say where its streams end (ML-Dash's hosted server, here our server with `streams` taken out of
 * that answer on the way) gets JSON batches from the first one on, never a msgpack body.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { Experiment } from "../../../src/index.ts";
import { startServer, type TestServer } from "../../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ token: "tok-negotiation-1" });
});
afterAll(async () => server?.close());

/** A fetch that records each body's content type and hides `streams` in node answers. */
function hostedLike(seen: string[], hide: boolean): typeof fetch {
  return async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    if (req.method !== "GET") seen.push(`${req.method} ${new URL(req.url).pathname} ${req.headers.get("content-type")?.split(";")[0] ?? "-"}`);
    const res = await fetch(req);
    if (!hide || !new URL(req.url).pathname.endsWith("/nodes") || req.method !== "POST") return res;
    const body = (await res.json()) as Record<string, unknown>;
    delete body["streams"];
    return new Response(JSON.stringify(body), { status: res.status, headers: { "content-type": "application/json" } });
  };
}

async function run(prefix: string, hide: boolean): Promise<string[]> {
  const seen: string[] = [];
  const exp = new Experiment(prefix, { dashUrl: server.url, token: "tok-negotiation-1", storage: null, echo: false, fetch: hostedLike(seen, hide) });
  await exp.run.start();
  for (let i = 0; i < 3; i++) exp.metrics("train").log({ loss: i, step: i });
  exp.tracks("pose").append({ x: 1, _ts: 1 });
  await exp.flush();
  expect((await exp.metrics("train").read({ startIndex: 0, limit: 10 })).data.map((p) => p.data["loss"])).toEqual([0, 1, 2]);
  await exp.run.complete();
  return seen;
}

test("a server that does not report stream positions never gets msgpack", async () => {
  const seen = await run("alice/negotiation/hosted", true);
  const appends = seen.filter((s) => s.includes("append"));
  expect(appends.some((s) => s.includes("/metrics/train/append-batch"))).toBe(true);
  expect(appends.some((s) => s.includes("/tracks/pose/append_batch"))).toBe(true);
  for (const a of appends) expect(a).toMatch(/ application\/json$/);
  expect(seen.some((s) => s.endsWith("application/msgpack"))).toBe(false);
}, 60_000);

test("an ml-dash server (it reports positions) gets msgpack batches", async () => {
  const seen = await run("alice/negotiation/ours", false);
  expect(seen.filter((s) => s.endsWith("application/msgpack")).length).toBeGreaterThan(0);
}, 60_000);
